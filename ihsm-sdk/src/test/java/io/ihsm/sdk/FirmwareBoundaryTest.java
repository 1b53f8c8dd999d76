package io.ihsm.sdk;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;

/** Everything a host application gets by depending on the SDK is free of firmware classes. */
class FirmwareBoundaryTest extends FirmwareBoundaryCheck {}
