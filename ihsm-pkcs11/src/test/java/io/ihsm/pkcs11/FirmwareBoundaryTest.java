package io.ihsm.pkcs11;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;

/**
 * The PKCS#11 bridge's class path holds no firmware class: it reaches the device only through the
 * daemon.
 */
class FirmwareBoundaryTest extends FirmwareBoundaryCheck {}
