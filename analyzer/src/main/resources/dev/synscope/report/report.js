/* synscope report: draws the charts from the embedded report data and makes tables sortable.
   Everything it needs is in this page; it makes no network request. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('synscope-data').textContent);

  // ------------------------------------------------------------ sortable tables
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return '';
    var v = cell.getAttribute('data-sort');
    return v !== null ? v : cell.textContent.trim();
  }
  function asNumber(text) {
    var t = String(text).replace(/[,\s%]|ms$|s$/g, '');
    return t !== '' && !isNaN(t) ? Number(t) : null;
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      th.setAttribute('role', 'button');
      th.addEventListener('click', function () {
        var descending = th.getAttribute('aria-sort') !== 'descending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.querySelector('td.empty'); });
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var nx = asNumber(x), ny = asNumber(y);
          var c = nx !== null && ny !== null ? nx - ny : x.localeCompare(y);
          return descending ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // ------------------------------------------------------------ charts
  var canvases = document.querySelectorAll('canvas[data-chart]');
  function noData(canvas, text) {
    var div = document.createElement('div');
    div.className = 'no-data';
    div.textContent = text;
    canvas.parentNode.appendChild(div);
    canvas.setAttribute('data-rendered', 'empty');
  }
  if (typeof Chart === 'undefined') {
    Array.prototype.forEach.call(canvases, function (c) { noData(c, 'charts need JavaScript'); });
    return;
  }
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;
  Chart.defaults.plugins.legend.labels.boxWidth = 14;

  function isoMillis(iso) {
    return iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1')) : NaN;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  var tl = data.timeline;
  var startMs = tl ? isoMillis(tl.start) : NaN;
  function clock(seconds) {
    var d = new Date(startMs + seconds * 1000);
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }

  var episodes = [];
  Array.prototype.forEach.call(document.querySelectorAll('#episodes li'), function (li) {
    (li.getAttribute('data-intervals') || '').split(';').forEach(function (range) {
      var ends = range.split(',');
      if (ends.length !== 2) return;
      episodes.push({
        from: (isoMillis(ends[0]) - startMs) / 1000,
        to: (isoMillis(ends[1]) - startMs) / 1000,
        colour: li.getAttribute('data-colour')
      });
    });
  });
  var shading = {
    id: 'synscopeEpisodes',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      if (!x || x.type !== 'linear') return;
      episodes.forEach(function (e) {
        if (isNaN(e.from) || isNaN(e.to)) return;
        var a = Math.max(area.left, x.getPixelForValue(e.from));
        var b = Math.min(area.right, x.getPixelForValue(Math.max(e.to, e.from)));
        if (b < area.left || a > area.right) return;
        ctx.save();
        ctx.fillStyle = e.colour;
        ctx.fillRect(a, area.top, Math.max(3, b - a), area.bottom - area.top);
        ctx.restore();
      });
    }
  };

  function series(values, perSecond) {
    var w = tl.bucket_seconds, out = [];
    for (var i = 0; i < values.length; i++) {
      out.push({ x: i * w, y: perSecond ? values[i] / w : values[i] });
    }
    // A bucket's value holds until its end (Chart.js 'before' steps): repeat the last one there.
    if (values.length) out.push({ x: values.length * w, y: out[out.length - 1].y });
    return out;
  }
  function line(label, points, colour, extra) {
    var d = { label: label, data: points, borderColor: colour, backgroundColor: colour, borderWidth: 1.6,
      pointRadius: 0, pointHitRadius: 4, stepped: 'before', tension: 0 };
    for (var k in extra || {}) d[k] = extra[k];
    return d;
  }
  function timeScale() {
    return { type: 'linear', min: 0, max: Math.max(1, tl.buckets * tl.bucket_seconds),
      ticks: { maxTicksLimit: 10, precision: 0, callback: function (v) { return clock(v); } },
      title: { display: true, text: 'time (UTC)' } };
  }
  function render(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    config.plugins = (config.plugins || []).concat([shading]);
    new Chart(canvas, config);
    canvas.setAttribute('data-rendered', 'true');
  }
  var tooltipTitle = { callbacks: { title: function (items) {
    return items.length ? clock(items[0].parsed.x) + (tl.bucket_seconds > 1 ? ' (+' + tl.bucket_seconds + ' s)' : '') : '';
  } } };

  if (tl && tl.buckets > 0) {
    var rst = tl.rejected.map(function (v, i) { return v + tl.resets[i]; });
    render('chart-rates', { type: 'line', data: { datasets: [
      line('SYN', series(tl.syn, true), '#15803d'),
      line('SYN-ACK', series(tl.synack, true), '#1d4ed8'),
      line('handshakes completed', series(tl.handshakes, true), '#64748b', { borderDash: [6, 3] }),
      line('RST (rejected + reset)', series(rst, true), '#dc2626', { borderDash: [2, 2] })
    ] }, options: { scales: { x: timeScale(), y: { beginAtZero: true, grace: '8%', title: { display: true, text: 'per second' } } },
      interaction: { mode: 'index', intersect: false }, plugins: { tooltip: tooltipTitle } } });
    render('chart-half-open', { type: 'line', data: { datasets: [
      line('half-open connections', series(tl.half_open, false), '#ea580c', { fill: true, backgroundColor: 'rgba(234, 88, 12, 0.15)' })
    ] }, options: { scales: { x: timeScale(), y: { beginAtZero: true, grace: '8%' } },
      interaction: { mode: 'index', intersect: false }, plugins: { tooltip: tooltipTitle } } });
    var palette = ['#0e7490', '#7c3aed', '#be185d', '#15803d', '#b45309', '#1d4ed8', '#4d7c0f', '#9f1239'];
    var hosts = tl.time_wait || [];
    if (hosts.length) {
      render('chart-time-wait', { type: 'line', data: { datasets: hosts.map(function (h, i) {
        return line(h.host, series(h.counts, false), palette[i % palette.length]);
      }) }, options: { scales: { x: timeScale(), y: { beginAtZero: true, grace: '8%', title: { display: true, text: 'sockets' } } },
        interaction: { mode: 'index', intersect: false }, plugins: { tooltip: tooltipTitle } } });
    } else {
      noData(document.getElementById('chart-time-wait'), 'no connection was closed with FIN');
    }
  } else {
    ['chart-rates', 'chart-half-open', 'chart-time-wait'].forEach(function (id) {
      noData(document.getElementById(id), 'no connection events');
    });
  }

  // One stacked chart per listed host: its sockets by kernel state at the end of each bucket.
  var stateColours = { syn_sent: '#15803d', syn_recv: '#ea580c', established: '#1d4ed8', fin_wait1: '#7c3aed',
    fin_wait2: '#a855f7', close_wait: '#dc2626', last_ack: '#f59e0b', closing: '#be185d', time_wait: '#0e7490' };
  var censusBox = document.getElementById('census-charts');
  (data.hosts || []).slice(0, 6).forEach(function (h, n) {
    if (!censusBox) return;
    var s = h.socket_states.series;
    var box = document.createElement('div');
    box.className = 'chart-box';
    var title = document.createElement('h3');
    title.textContent = h.host + ': sockets by state';
    var holder = document.createElement('div');
    holder.className = 'chart';
    var canvas = document.createElement('canvas');
    canvas.id = 'chart-census-' + n;
    canvas.setAttribute('data-chart', 'census');
    canvas.setAttribute('aria-label', 'sockets of ' + h.host + ' by TCP state');
    holder.appendChild(canvas);
    box.appendChild(title);
    box.appendChild(holder);
    censusBox.appendChild(box);
    var offset = (isoMillis(s.start) - startMs) / 1000;
    if (isNaN(offset)) offset = 0;
    var datasets = Object.keys(s.counts).map(function (state) {
      var values = s.counts[state], points = [];
      for (var i = 0; i < values.length; i++) points.push({ x: offset + (i + 1) * s.bucket_seconds, y: values[i] });
      points.unshift({ x: offset, y: values.length ? values[0] : 0 });
      return line(state, points, stateColours[state] || '#64748b',
        { fill: true, backgroundColor: (stateColours[state] || '#64748b') + '55', stepped: 'after' });
    });
    var scale = timeScale();
    scale.max = Math.max(scale.max, offset + s.buckets * s.bucket_seconds);
    render(canvas.id, { type: 'line', data: { datasets: datasets }, options: { scales: { x: scale,
      y: { stacked: true, beginAtZero: true, grace: '8%', title: { display: true, text: 'sockets' } } },
      interaction: { mode: 'index', intersect: false }, plugins: { tooltip: tooltipTitle } } });
  });

  var hist = data.handshake_histogram;
  function rangeLabels(bounds) {
    function f(ms) { return ms >= 1000 ? (ms / 1000) + ' s' : ms + ' ms'; }
    var labels = [];
    for (var i = 0; i <= bounds.length; i++) {
      labels.push(i === 0 ? '≤ ' + f(bounds[0]) : i === bounds.length ? '> ' + f(bounds[i - 1]) : f(bounds[i - 1]) + '–' + f(bounds[i]));
    }
    return labels;
  }
  function histogram(id, counts, colour) {
    var canvas = document.getElementById(id);
    var total = counts ? counts.reduce(function (a, b) { return a + b; }, 0) : 0;
    if (!hist || total === 0) {
      noData(canvas, 'no handshake measured');
      return;
    }
    // Trim empty buckets at both ends so the bars are readable.
    var first = 0, last = counts.length - 1;
    while (first < last && counts[first] === 0) first++;
    while (last > first && counts[last] === 0) last--;
    var labels = rangeLabels(hist.upper_bounds_ms).slice(first, last + 1);
    render(id, { type: 'bar', data: { labels: labels, datasets: [{ label: 'handshakes', data: counts.slice(first, last + 1),
      backgroundColor: colour }] }, options: { plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, grace: '8%', ticks: { precision: 0 } } } } });
  }
  histogram('chart-hist-syn-synack', hist && hist.syn_to_synack, '#1d4ed8');
  histogram('chart-hist-synack-ack', hist && hist.synack_to_ack, '#64748b');
  document.body.setAttribute('data-charts-ready', 'true');
})();
