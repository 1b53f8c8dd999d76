package io.ihsm.device.boot;

import io.ihsm.ddi.spi.FirmwareEntryPoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the firmware's classes and resources from the in-memory image, never from disk, so what was
 * verified is what runs. The firmware sees only the JDK and the DDI package (so the entry-point
 * types are shared with the device); the host's own classes and libraries stay invisible to it.
 */
final class FirmwareClassLoader extends ClassLoader {
  private static final String SHARED_PACKAGE = "io.ihsm.ddi.";

  /** Each file's jar: the first jar in image order that has it, like a class path. */
  private final Map<String, InMemoryJar> owners;

  private final ClassLoader ddiLoader = FirmwareEntryPoint.class.getClassLoader();
  private final URLStreamHandler handler = new InMemoryHandler();

  FirmwareClassLoader(FirmwareImage image) throws IOException {
    super("ihsm-firmware", ClassLoader.getPlatformClassLoader());
    Map<String, InMemoryJar> all = new HashMap<>();
    FirmwareImage.ExpansionBudget budget = new FirmwareImage.ExpansionBudget();
    // Indexed now, inflated when loaded. Not verified again as signed jars: the boot ROM's
    // signature over the whole image covers every byte of them.
    for (Map.Entry<String, byte[]> jar : image.jars().entrySet()) {
      InMemoryJar j = InMemoryJar.of(jar.getKey(), jar.getValue(), budget);
      for (String name : j.names()) {
        all.putIfAbsent(name, j);
      }
    }
    this.owners = all;
  }

  /** A file's bytes, or null when the firmware has none (or it does not read, said as none). */
  private byte[] entry(String name) {
    InMemoryJar jar = owners.get(name);
    if (jar == null) {
      return null;
    }
    try {
      return jar.read(name);
    } catch (FirmwareImage.InvalidImageException e) {
      return null;
    }
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith(SHARED_PACKAGE)) {
      return ddiLoader.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] b = entry(name.replace('.', '/') + ".class");
    if (b == null) {
      throw new ClassNotFoundException(name);
    }
    return defineClass(name, b, 0, b.length);
  }

  @Override
  protected URL findResource(String name) {
    if (!owners.containsKey(name)) {
      return null;
    }
    try {
      return URL.of(new URI("ihsm-firmware", null, "/" + name, null), handler);
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL u = findResource(name);
    return Collections.enumeration(u == null ? List.of() : List.of(u));
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    byte[] b = entry(name);
    return b != null ? new ByteArrayInputStream(b) : super.getResourceAsStream(name);
  }

  /** Serves {@code ihsm-firmware:/path} URLs from the in-memory entries. */
  private final class InMemoryHandler extends URLStreamHandler {
    @Override
    protected URLConnection openConnection(URL u) throws IOException {
      byte[] b = entry(u.getPath().substring(1));
      if (b == null) {
        throw new IOException("no such firmware resource");
      }
      return new URLConnection(u) {
        @Override
        public void connect() {}

        @Override
        public InputStream getInputStream() {
          return new ByteArrayInputStream(b);
        }
      };
    }
  }
}
