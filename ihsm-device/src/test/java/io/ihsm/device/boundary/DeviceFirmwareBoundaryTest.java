package io.ihsm.device.boundary;

/** The device reaches the firmware only through the image bytes and the DDI entry point. */
class DeviceFirmwareBoundaryTest extends FirmwareBoundaryCheck {}
