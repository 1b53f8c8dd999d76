package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyWriter;

/** A request or response body; its fields are written in the order its message defines. */
public interface Body {
  void writeTo(BodyWriter w);

  default byte[] toBytes() {
    return BodyWriter.encode(this::writeTo, 0, Integer.MAX_VALUE);
  }
}
