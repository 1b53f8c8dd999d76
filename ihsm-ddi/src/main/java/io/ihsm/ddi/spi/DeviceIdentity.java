package io.ihsm.ddi.spi;

/** The card's fixed identity, as the device reports it whether or not firmware is running. */
public record DeviceIdentity(String vendor, String model, String serialNumber) {}
