package org.regimen.pharmacy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The stand-in pharmacy (see README.md beside pom.xml).
 *
 * <pre>
 *   serve PORT      HAPI FHIR server on 127.0.0.1:PORT (0: any free port), prints
 *                   "READY http://127.0.0.1:PORT/fhir" once it answers; stops on EOF on stdin
 *   parse FILE...   HAPI JSON parser + R4 instance validator on each file, one JSON line each
 * </pre>
 *
 * Only the READY line and parse's JSON lines go to stdout; everything else goes to stderr.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    PrintStream stdout = System.out;
    System.setOut(System.err); // libraries that print must not disturb the protocol on stdout
    if (args.length == 2 && args[0].equals("serve")) {
      serve(Integer.parseInt(args[1]), stdout);
    } else if (args.length >= 2 && args[0].equals("parse")) {
      System.exit(parse(List.of(args).subList(1, args.length), stdout));
    } else {
      System.err.println("usage: Main serve PORT | Main parse FILE...");
      System.exit(2);
    }
  }

  private static void serve(int port, PrintStream stdout) throws Exception {
    long started = System.nanoTime();
    FhirContext ctx = FhirContext.forR4();
    Validation validation = new Validation(ctx);
    warmUp(validation);
    long warm = System.nanoTime();
    Store store = new Store();

    QueuedThreadPool threads = new QueuedThreadPool(32, 4);
    threads.setName("pharmacy");
    Server server = new Server(threads);
    // HAPI's error path saves the headers, calls reset() and puts them back, and Jetty's reset()
    // adds its own Date and Server again: two of each. So Jetty sends neither and FaultFilter
    // sets Date itself.
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder fhir = new ServletHolder("fhir", new PharmacyServer(ctx, store, validation));
    fhir.setInitOrder(1); // HAPI scans the providers at start, not on the first request
    context.addServlet(fhir, "/fhir/*");
    context.addServlet(new ServletHolder("control", new ControlServlet(ctx, store, validation)), "/control/*");
    context.addFilter(
        new FilterHolder(new FaultFilter(ctx, store)), "/fhir/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.setStopAtShutdown(true); // SIGTERM: the JVM's shutdown hook stops Jetty
    server.setStopTimeout(500);
    try {
      server.start();
    } catch (IOException e) {
      System.err.println("pharmacy: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
          + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
      System.exit(1);
    }
    System.err.printf(
        "pharmacy: validator warmed up in %d ms, Jetty and HAPI started in %d ms%n",
        (warm - started) / 1_000_000, (System.nanoTime() - warm) / 1_000_000);

    Thread stdinWatch =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                  // a test holds stdin open for as long as it wants the pharmacy
                }
              } catch (IOException e) {
                // closed: same as EOF
              }
              System.err.println("pharmacy: stdin closed, stopping");
              System.exit(0);
            },
            "stdin-watch");
    stdinWatch.setDaemon(true);
    stdinWatch.start();

    stdout.println("READY http://127.0.0.1:" + connector.getLocalPort() + "/fhir");
    stdout.flush();
    server.join();
  }

  /** The validator loads and converts the R4 definitions on first use: do it before READY. */
  private static void warmUp(Validation validation) {
    validation.validate(
        "{\"resourceType\":\"Task\",\"status\":\"requested\",\"intent\":\"order\","
            + "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/CodeSystem/task-code\",\"code\":\"fulfill\"}]},"
            + "\"focus\":{\"reference\":\"MedicationRequest/rx1\"},\"for\":{\"reference\":\"Patient/p1\"},"
            + "\"authoredOn\":\"2026-12-02T10:00:00Z\",\"identifier\":[{\"system\":\"urn:ietf:rfc:3986\","
            + "\"value\":\"urn:uuid:00000000-0000-4000-8000-000000000000\"}],\"input\":[{\"type\":{\"text\":\"quantity\"},"
            + "\"valueQuantity\":{\"value\":30,\"unit\":\"tablet\"}}]}");
    validation.validate(
        "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"fullUrl\":"
            + "\"http://example.org/fhir/MedicationRequest/rx1\",\"resource\":{\"resourceType\":\"MedicationRequest\","
            + "\"id\":\"rx1\",\"status\":\"active\",\"intent\":\"order\",\"medicationCodeableConcept\":{\"text\":\"x\"},"
            + "\"subject\":{\"reference\":\"Patient/p1\"},\"dispenseRequest\":{\"quantity\":{\"value\":30}}}},"
            + "{\"fullUrl\":\"http://example.org/fhir/MedicationDispense/d1\",\"resource\":{\"resourceType\":"
            + "\"MedicationDispense\",\"id\":\"d1\",\"status\":\"completed\",\"medicationCodeableConcept\":{\"text\":\"x\"},"
            + "\"whenHandedOver\":\"2026-12-02T10:00:00Z\"}}]}");
  }

  private static int parse(List<String> files, PrintStream stdout) {
    FhirContext ctx = FhirContext.forR4();
    Validation validation = new Validation(ctx);
    ObjectMapper json = new ObjectMapper();
    boolean showWarnings = System.getenv("PHARMACY_SHOW_WARNINGS") != null;
    boolean allOk = true;
    for (String file : files) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("file", file);
      line.put("resourceType", null);
      List<String> errors = new ArrayList<>();
      int warnings = 0;
      String text = null;
      try {
        text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        errors.add("cannot read: " + e);
      }
      if (text != null) {
        try {
          JsonNode node = json.readTree(text);
          if (node != null && node.hasNonNull("resourceType")) {
            line.put("resourceType", node.get("resourceType").asText());
          }
        } catch (JsonProcessingException e) {
          errors.add("not JSON: " + e.getOriginalMessage());
        }
        try {
          ctx.newJsonParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(text);
        } catch (DataFormatException e) {
          errors.add("HAPI parser: " + e.getMessage());
        }
        Validation.Outcome outcome = validation.validate(text);
        errors.addAll(outcome.errors());
        warnings = outcome.warnings().size();
        if (showWarnings) {
          for (String warning : outcome.warnings()) {
            System.err.println(file + ": warning: " + warning);
          }
        }
      }
      line.put("errors", errors);
      line.put("warnings", warnings);
      allOk &= errors.isEmpty();
      try {
        stdout.println(json.writeValueAsString(line));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    stdout.flush();
    return allOk ? 0 : 1;
  }
}
