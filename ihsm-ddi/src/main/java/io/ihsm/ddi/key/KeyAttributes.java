package io.ihsm.ddi.key;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import java.util.regex.Pattern;

/**
 * What a key is, apart from its material: kind, usage, whether it is a session key (gone when its
 * session closes) or an app key (lives with the partition), whether it may leave wrapped, and its
 * label (empty, or 1–64 of [A-Za-z0-9._-] starting with a letter or digit; unique among a
 * partition's app keys when not empty).
 *
 * <pre>u8 kind, u8 usage, bool sessionKey, bool extractable, string label (≤ 64)</pre>
 */
public record KeyAttributes(
    KeyKind kind, KeyUsage usage, boolean sessionKey, boolean extractable, String label) {
  public static final int MAX_LABEL = 64;
  private static final Pattern LABEL = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,63})?");

  public static boolean validLabel(String label) {
    return LABEL.matcher(label).matches();
  }

  public void writeTo(BodyWriter w) {
    w.u8(kind.code()).u8(usage.code()).bool(sessionKey).bool(extractable).string(label, MAX_LABEL);
  }

  public static KeyAttributes readField(BodyReader r) throws DdiException {
    int k = r.u8("kind");
    int u = r.u8("usage");
    boolean session = r.bool("sessionKey");
    boolean extractable = r.bool("extractable");
    String label = r.string("label", MAX_LABEL);
    KeyKind kind = KeyKind.fromCode(k);
    KeyUsage usage = KeyUsage.fromCode(u);
    if (kind == null || usage == null) {
      throw new DdiException(Status.INVALID_PARAMETER, "unknown key kind or usage");
    }
    if (!validLabel(label)) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "labels are empty or 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
    }
    return new KeyAttributes(kind, usage, session, extractable, label);
  }
}
