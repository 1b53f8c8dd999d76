/**
 * The Kubernetes KMS v2 plugin: {@code v2.KeyManagementService} over gRPC on a Unix socket, backed
 * by a partition key of the HSM. The generated API ({@code v2}) is not exported: callers start
 * {@link io.ihsm.kms.KmsPlugin}.
 */
module io.ihsm.kms {
  requires io.ihsm.sdk;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.protobuf;
  requires io.grpc.netty.shaded;
  requires com.google.protobuf;
  requires com.google.common;

  exports io.ihsm.kms;
  exports v2;
}
