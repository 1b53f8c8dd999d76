package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.BodyWriter;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Status;
import java.util.regex.Pattern;

/** CreatePartition request: a name (1–32 of [a-z0-9-], starting with a letter) and limits. */
public record CreatePartitionRequest(String name, PartitionLimits limits) implements Body {
  public static final int MAX_NAME = 32;
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  public static boolean validName(String name) {
    return NAME.matcher(name).matches();
  }

  @Override
  public void writeTo(BodyWriter w) {
    w.string(name, MAX_NAME);
    limits.writeTo(w);
  }

  public static CreatePartitionRequest read(BodyReader r) throws DdiException {
    String name = r.string("name", MAX_NAME);
    PartitionLimits limits = PartitionLimits.readField(r);
    r.end();
    if (!validName(name)) {
      throw new DdiException(
          Status.INVALID_PARAMETER,
          "partition names are 1-32 of [a-z0-9-], starting with a letter");
    }
    return new CreatePartitionRequest(name, limits);
  }
}
