package dev.synscope.decode;

/** LINKTYPE_ numbers (tcpdump.org/linktypes.html) that synscope decodes, and their names. */
public final class LinkTypes {
  public static final int NULL = 0;
  public static final int ETHERNET = 1;
  public static final int RAW = 101;
  public static final int LOOP = 108;
  public static final int LINUX_SLL = 113;
  public static final int IPV4 = 228;
  public static final int IPV6 = 229;
  public static final int LINUX_SLL2 = 276;
  /** Some BSDs wrote DLT_RAW as 12 or 14 in files. */
  public static final int RAW_BSD12 = 12;
  public static final int RAW_BSD14 = 14;

  private LinkTypes() {}

  public static String name(int linkType) {
    return switch (linkType) {
      case NULL -> "NULL";
      case ETHERNET -> "EN10MB";
      case RAW, RAW_BSD12, RAW_BSD14 -> "RAW";
      case LOOP -> "LOOP";
      case LINUX_SLL -> "LINUX_SLL";
      case IPV4 -> "IPV4";
      case IPV6 -> "IPV6";
      case LINUX_SLL2 -> "LINUX_SLL2";
      default -> "DLT_" + linkType;
    };
  }
}
