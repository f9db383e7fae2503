package dev.synscope.flink;

import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The job's Kafka topics (see {@link KafkaOptions}): at least once, as Flink's checkpoints give it. */
final class KafkaSinks {
  private KafkaSinks() {}

  static void attach(DataStream<FindingRecord> findings, DataStream<ConnectionRecord> connections, KafkaOptions kafka) {
    findings.map(f -> f.ecs).name("finding lines")
        .sinkTo(sink(kafka, kafka.findingsTopic())).name("kafka: " + kafka.findingsTopic());
    connections.map(c -> c.ecs).name("connection lines")
        .sinkTo(sink(kafka, kafka.connectionsTopic())).name("kafka: " + kafka.connectionsTopic());
  }

  private static KafkaSink<String> sink(KafkaOptions kafka, String topic) {
    return KafkaSink.<String>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setRecordSerializer(KafkaRecordSerializationSchema.builder()
            .setTopic(topic)
            .setValueSerializationSchema(new SimpleStringSchema())
            .build())
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }
}
