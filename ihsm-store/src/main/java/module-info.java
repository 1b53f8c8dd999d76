/** The fleet's shared records: a file store on one server, etcd across many. */
module io.ihsm.store {
  requires io.ihsm.host;
  requires jetcd.core;

  exports io.ihsm.store;
}
