package org.regimen.pharmacy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.LenientErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Type;

/** The control API under /control: how a test plays the doctor and the pharmacist. */
final class ControlServlet extends HttpServlet {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private final transient FhirContext ctx;
  private final transient Store store;
  private final transient Validation validation;

  ControlServlet(FhirContext ctx, Store store, Validation validation) {
    this.ctx = ctx;
    this.store = store;
    this.validation = validation;
  }

  /** An answer other than 200: status and message. */
  private static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    String method = request.getMethod();
    try {
      if (method.equals("GET") && path.equals("/state")) {
        json(response, 200, state());
      } else if (method.equals("POST") && path.equals("/prescriptions")) {
        String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        json(response, 200, storePrescriptions(body, !"false".equals(request.getParameter("validate"))));
      } else if (method.equals("POST") && path.startsWith("/task/") && path.endsWith("/status")) {
        String id = path.substring("/task/".length(), path.length() - "/status".length());
        Task task =
            moveTask(
                id,
                required(request, "to"),
                request.getParameter("reason"),
                request.getParameter("businessStatus"));
        response.setStatus(200);
        response.setContentType("application/fhir+json;charset=utf-8");
        response.getWriter().write(ctx.newJsonParser().encodeResourceToString(task));
      } else if (method.equals("POST") && path.equals("/fail-next")) {
        int status = status(request, "status", 503, 400, 599);
        int count = number(request, "count", 1);
        synchronized (store) {
          store.failNextStatus = status;
          store.failNextCount = count;
          store.failNextRetryAfter = request.getParameter("retryAfter");
        }
        json(response, 200, Map.of("fail_next", Map.of("status", status, "count", count)));
      } else if (method.equals("POST") && path.equals("/reject-next")) {
        int status = status(request, "status", 400, 400, 499);
        String message = request.getParameter("message");
        synchronized (store) {
          store.rejectNextStatus = status;
          store.rejectNextMessage = message == null ? "rejected by /control/reject-next" : message;
        }
        json(response, 200, Map.of("reject_next", Map.of("status", status)));
      } else if (method.equals("POST") && path.equals("/drop-answer-next")) {
        synchronized (store) {
          store.dropAnswerNext = true;
        }
        json(response, 200, Map.of("drop_answer_next", true));
      } else if (method.equals("POST") && path.equals("/clock")) {
        String now = request.getParameter("now");
        Date clock;
        if (now == null || now.isBlank()) {
          clock = null;
        } else {
          try {
            clock = new DateTimeType(now).getValue();
          } catch (RuntimeException e) {
            throw new Refusal(400, "now is not an R4 dateTime: " + now);
          }
        }
        synchronized (store) {
          store.clock = clock;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("clock", clock == null ? null : new DateTimeType(clock).getValueAsString());
        json(response, 200, answer);
      } else if (method.equals("POST") && path.equals("/reset")) {
        store.reset();
        json(response, 200, Map.of("reset", true));
      } else {
        throw new Refusal(404, "no control endpoint " + method + " " + path + " (see tests/peers/pharmacy/README.md)");
      }
    } catch (Refusal refusal) {
      json(response, refusal.status, Map.of("error", refusal.getMessage()));
    }
  }

  private Map<String, Object> state() {
    synchronized (store) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("tasks", store.count("Task"));
      state.put("prescriptions", store.count("MedicationRequest"));
      state.put("dispenses", store.count("MedicationDispense"));
      state.put("task_creates_attempted", store.taskCreatesAttempted);
      state.put("validations", new ArrayList<>(store.validations));
      state.put("requests", new ArrayList<>(store.requests));
      Map<String, Object> armed = new LinkedHashMap<>();
      armed.put("fail_next", Map.of("count", store.failNextCount, "status", store.failNextStatus));
      armed.put("reject_next", store.rejectNextStatus);
      armed.put("drop_answer_next", store.dropAnswerNext);
      state.put("armed", armed);
      return state;
    }
  }

  /**
   * Stores the MedicationRequests of a Bundle (any type) or a single MedicationRequest, as a
   * doctor's system would have. The body is validated first unless validate=false; with errors,
   * nothing is stored (422). A MedicationRequest keeps its id when it has a valid one.
   */
  private Map<String, Object> storePrescriptions(String body, boolean validate) throws Refusal {
    Validation.Outcome outcome = null;
    if (validate) {
      outcome = validation.validate(body);
      String type = null;
      String id = null;
      try {
        JsonNode node = JSON.readTree(body);
        type = node.path("resourceType").asText(null);
        id = node.path("id").asText(null);
      } catch (IOException e) {
        // not JSON: the validator has said so
      }
      store.logValidation(PharmacyServer.entry("control", "POST", type, id, outcome, outcome.ok()));
      if (!outcome.ok()) {
        throw new Refusal(422, "validation errors: " + String.join(" | ", outcome.errors()));
      }
    }
    IBaseResource parsed;
    try {
      // Lenient about codes when validate=false: HAPI's model keeps no invalid code, it drops it.
      parsed =
          ctx.newJsonParser()
              .setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false))
              .parseResource(body);
    } catch (DataFormatException e) {
      throw new Refusal(400, "not FHIR JSON: " + e.getMessage());
    }
    List<MedicationRequest> prescriptions = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    if (parsed instanceof Bundle bundle) {
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        Resource resource = entry.getResource();
        if (resource instanceof MedicationRequest rx) {
          prescriptions.add(rx);
        } else if (resource != null) {
          ignored.add(resource.fhirType());
        }
      }
    } else if (parsed instanceof MedicationRequest rx) {
      prescriptions.add(rx);
    } else {
      throw new Refusal(400, "expected a Bundle or a MedicationRequest, got " + parsed.fhirType());
    }
    List<String> stored = new ArrayList<>();
    synchronized (store) {
      for (MedicationRequest rx : prescriptions) {
        String id = rx.getIdElement().getIdPart();
        if (id == null || !FHIR_ID.matcher(id).matches()) {
          id = store.newId("MedicationRequest");
        }
        rx.setId(id);
        stored.add(store.put(rx).getIdElement().toUnqualified().getValue());
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("stored", stored);
    answer.put("ignored", ignored);
    answer.put("warnings", outcome == null ? null : outcome.warnings().size());
    return answer;
  }

  /**
   * Moves a Task to a new status as the pharmacy would. rejected/cancelled/failed/on-hold get
   * statusReason.text (reason=, else a default); ready gets businessStatus.text "ready for
   * pickup" unless businessStatus= says otherwise; completed makes a MedicationDispense.
   */
  private Task moveTask(String id, String to, String reason, String businessStatus) throws Refusal {
    Task task;
    synchronized (store) {
      task = (Task) store.get("Task", id);
      if (task == null) {
        throw new Refusal(404, "no Task/" + id);
      }
      Task.TaskStatus status;
      try {
        status = Task.TaskStatus.fromCode(to);
      } catch (FHIRException e) {
        throw new Refusal(400, "not an R4 Task.status: " + to);
      }
      if (status == null) {
        throw new Refusal(400, "not an R4 Task.status: " + to);
      }
      Date now = stamp(task);
      task.setStatus(status);
      task.setLastModified(now);
      boolean wantsReason =
          switch (status) {
            case REJECTED, CANCELLED, FAILED, ONHOLD -> true;
            default -> false;
          };
      if (reason != null) {
        task.setStatusReason(new CodeableConcept().setText(reason));
      } else if (wantsReason) {
        task.setStatusReason(new CodeableConcept().setText(status.getDisplay() + " by the pharmacy"));
      } else {
        task.setStatusReason(null);
      }
      if (businessStatus != null) {
        task.setBusinessStatus(new CodeableConcept().setText(businessStatus));
      } else if (status == Task.TaskStatus.READY) {
        task.setBusinessStatus(new CodeableConcept().setText("ready for pickup"));
      } else {
        task.setBusinessStatus(null);
      }
      if (status == Task.TaskStatus.INPROGRESS && !task.getExecutionPeriod().hasStart()) {
        task.getExecutionPeriod().setStart(now);
      }
      if (status == Task.TaskStatus.COMPLETED) {
        if (!task.getExecutionPeriod().hasStart()) {
          task.getExecutionPeriod().setStart(now);
        }
        task.getExecutionPeriod().setEnd(now);
        boolean dispensed =
            task.getOutput().stream()
                .anyMatch(o -> o.getValue() instanceof Reference r
                    && r.getReference() != null && r.getReference().startsWith("MedicationDispense/"));
        if (!dispensed) {
          MedicationDispense dispense = dispense(task, now);
          task.addOutput()
              .setType(new CodeableConcept().setText("MedicationDispense"))
              .setValue(new Reference(dispense.getIdElement().toUnqualifiedVersionless().getValue()));
        }
      }
      task = (Task) store.put(task);
    }
    Validation.Outcome outcome = validation.validate(ctx.newJsonParser().encodeResourceToString(task));
    store.logValidation(PharmacyServer.entry("control", "POST", "Task", id, outcome, true));
    return task;
  }

  /**
   * Now by the pharmacy's clock (/control/clock, else the real one), but never before the
   * Task's authoredOn or lastModified: tests often run Regimen on a fixed clock, and a Task
   * modified before it was authored breaks R4's inv-1.
   */
  private Date stamp(Task task) {
    Date now = store.clock != null ? store.clock : new Date();
    for (Date floor : new Date[] {task.getAuthoredOn(), task.getLastModified()}) {
      if (floor != null && floor.after(now)) {
        now = floor;
      }
    }
    return now;
  }

  /** The MedicationDispense for a completed Task, stored. */
  private MedicationDispense dispense(Task task, Date now) throws Refusal {
    MedicationRequest rx = prescriptionOf(task);
    MedicationDispense dispense = new MedicationDispense();
    dispense.setId(store.newId("MedicationDispense"));
    dispense.setStatus(MedicationDispense.MedicationDispenseStatus.COMPLETED);
    if (rx.hasMedicationCodeableConcept()) {
      dispense.setMedication(rx.getMedicationCodeableConcept().copy());
    } else if (rx.hasMedicationReference()) {
      Reference medication = rx.getMedicationReference().copy();
      if (medication.getReference() != null && medication.getReference().startsWith("#")) {
        for (Resource contained : rx.getContained()) {
          if (("#" + contained.getIdElement().getIdPart()).equals(medication.getReference())) {
            dispense.addContained(contained.copy());
          }
        }
      }
      dispense.setMedication(medication);
    } else {
      dispense.setMedication(new CodeableConcept().setText("unknown medication"));
    }
    if (task.hasFor()) {
      dispense.setSubject(task.getFor().copy());
    } else if (rx.hasSubject()) {
      dispense.setSubject(rx.getSubject().copy());
    }
    dispense.addAuthorizingPrescription(
        new Reference("MedicationRequest/" + rx.getIdElement().getIdPart()));
    Quantity quantity = requestedQuantity(task);
    if (quantity != null) {
      dispense.setQuantity(quantity);
    }
    dispense.setWhenHandedOver(now);
    return (MedicationDispense) store.put(dispense);
  }

  /** The MedicationRequest that Task.focus (else the first fitting Task.basedOn) names. */
  private MedicationRequest prescriptionOf(Task task) throws Refusal {
    List<Reference> candidates = new ArrayList<>();
    if (task.hasFocus()) {
      candidates.add(task.getFocus());
    }
    candidates.addAll(task.getBasedOn());
    for (Reference reference : candidates) {
      String typeAndId = Refs.typeAndId(reference);
      if (typeAndId != null && typeAndId.startsWith("MedicationRequest/")) {
        Resource rx = store.get("MedicationRequest", typeAndId.substring("MedicationRequest/".length()));
        if (rx != null) {
          return (MedicationRequest) rx;
        }
      }
      if (reference.hasIdentifier()) {
        for (Resource r : store.all("MedicationRequest")) {
          MedicationRequest rx = (MedicationRequest) r;
          String token =
              (reference.getIdentifier().hasSystem() ? reference.getIdentifier().getSystem() + "|" : "")
                  + reference.getIdentifier().getValue();
          if (Refs.identifierMatches(rx.getIdentifier(), token)) {
            return rx;
          }
        }
      }
    }
    throw new Refusal(
        409,
        "cannot complete Task/" + task.getIdElement().getIdPart()
            + ": its focus/basedOn names no MedicationRequest this pharmacy has (post it to /control/prescriptions)");
  }

  /**
   * The quantity the patient asked for: a Task.input whose type is "quantity" (type.text, or a
   * type.coding code) with valueQuantity, valueInteger, valueDecimal (or a number in
   * valueString); else an extension on the Task whose url ends in "quantity" with valueQuantity,
   * valueInteger or valueDecimal. Null if there is none.
   */
  static Quantity requestedQuantity(Task task) {
    for (Task.ParameterComponent input : task.getInput()) {
      CodeableConcept type = input.getType();
      boolean isQuantity = "quantity".equalsIgnoreCase(type.getText());
      for (Coding coding : type.getCoding()) {
        isQuantity |= "quantity".equalsIgnoreCase(coding.getCode());
      }
      if (isQuantity) {
        Quantity q = quantityOf(input.getValue());
        if (q != null) {
          return q;
        }
      }
    }
    for (Extension extension : task.getExtension()) {
      if (extension.getUrl() != null && extension.getUrl().toLowerCase(Locale.ROOT).endsWith("quantity")) {
        Quantity q = quantityOf(extension.getValue());
        if (q != null) {
          return q;
        }
      }
    }
    return null;
  }

  private static Quantity quantityOf(Type value) {
    if (value instanceof Quantity q) {
      return q.copy();
    }
    if (value instanceof IntegerType i && i.getValue() != null) {
      return new Quantity().setValue(i.getValue());
    }
    if (value instanceof DecimalType d && d.getValue() != null) {
      return new Quantity().setValue(d.getValue());
    }
    if (value instanceof StringType s && s.getValue() != null) {
      try {
        return new Quantity().setValue(new BigDecimal(s.getValue().strip()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String required(HttpServletRequest request, String name) throws Refusal {
    String value = request.getParameter(name);
    if (value == null || value.isBlank()) {
      throw new Refusal(400, "missing query parameter " + name);
    }
    return value;
  }

  private static int number(HttpServletRequest request, String name, int fallback) throws Refusal {
    String value = request.getParameter(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new Refusal(400, name + " is not a number: " + value);
    }
  }

  private static int status(HttpServletRequest request, String name, int fallback, int min, int max)
      throws Refusal {
    int status = number(request, name, fallback);
    if (status < min || status > max) {
      throw new Refusal(400, name + " must be between " + min + " and " + max + ", not " + status);
    }
    return status;
  }

  private static void json(HttpServletResponse response, int status, Object body) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json;charset=utf-8");
    response.getWriter().write(JSON.writeValueAsString(body));
    response.getWriter().write("\n");
  }
}
