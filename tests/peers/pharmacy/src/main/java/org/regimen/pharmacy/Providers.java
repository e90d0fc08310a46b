package org.regimen.pharmacy;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;

/** The pharmacy's FHIR resource providers, on the in-memory {@link Store}. */
final class Providers {
  private Providers() {}

  static <T extends Resource> T read(Store store, Class<T> type, IdType id) {
    String name = type.getSimpleName();
    Resource found =
        id.hasVersionIdPart()
            ? store.get(name, id.getIdPart(), id.getVersionIdPart())
            : store.get(name, id.getIdPart());
    if (found == null) {
      throw new ResourceNotFoundException(new IdType(name, id.getIdPart(), id.getVersionIdPart()));
    }
    return type.cast(found);
  }

  static <T extends Resource> List<T> search(Store store, Class<T> type, Predicate<T> filter) {
    List<T> out = new ArrayList<>();
    for (Resource r : store.all(type.getSimpleName())) {
      T t = type.cast(r);
      if (filter.test(t)) {
        out.add(t);
      }
    }
    return out;
  }

  static boolean idMatches(Resource r, TokenParam id) {
    return id == null || id.getValue().equals(r.getIdElement().getIdPart());
  }

  static MethodOutcome outcome(Resource stored, boolean created) {
    MethodOutcome outcome = new MethodOutcome(stored.getIdElement(), created);
    outcome.setResource(stored);
    return outcome;
  }

  /** MedicationRequest: read (and vread), search, create. Doctors' prescriptions come via /control. */
  public static final class MedicationRequests implements IResourceProvider {
    private final Store store;

    MedicationRequests(Store store) {
      this.store = store;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
      return MedicationRequest.class;
    }

    @Read(version = true)
    public MedicationRequest read(@IdParam IdType id) {
      return Providers.read(store, MedicationRequest.class, id);
    }

    @Search
    public List<MedicationRequest> search(
        @OptionalParam(name = MedicationRequest.SP_PATIENT) ReferenceParam patient,
        @OptionalParam(name = MedicationRequest.SP_SUBJECT) ReferenceParam subject,
        @OptionalParam(name = IAnyResource.SP_RES_ID) TokenParam id,
        @OptionalParam(name = MedicationRequest.SP_STATUS) TokenParam status,
        @OptionalParam(name = MedicationRequest.SP_IDENTIFIER) TokenParam identifier) {
      return Providers.search(
          store,
          MedicationRequest.class,
          r ->
              (patient == null || Refs.matches(r.getSubject(), patient, "Patient"))
                  && (subject == null || Refs.matches(r.getSubject(), subject, null))
                  && idMatches(r, id)
                  && (status == null || status.getValue().equals(r.getStatus() == null ? null : r.getStatus().toCode()))
                  && (identifier == null || Refs.identifierMatches(r.getIdentifier(), identifier)));
    }

    @Create
    public MethodOutcome create(@ResourceParam MedicationRequest request) {
      synchronized (store) {
        request.setId(store.newId("MedicationRequest"));
        return outcome(store.put(request), true);
      }
    }
  }

  /** Task: read (and vread), search, create (conditional with If-None-Exist), update (If-Match). */
  public static final class Tasks implements IResourceProvider {
    private final Store store;

    Tasks(Store store) {
      this.store = store;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
      return Task.class;
    }

    @Read(version = true)
    public Task read(@IdParam IdType id) {
      return Providers.read(store, Task.class, id);
    }

    @Search
    public List<Task> search(
        @OptionalParam(name = Task.SP_IDENTIFIER) TokenParam identifier,
        @OptionalParam(name = IAnyResource.SP_RES_ID) TokenParam id,
        @OptionalParam(name = Task.SP_PATIENT) ReferenceParam patient,
        @OptionalParam(name = Task.SP_SUBJECT) ReferenceParam subject,
        @OptionalParam(name = Task.SP_FOCUS) ReferenceParam focus,
        @OptionalParam(name = Task.SP_BASED_ON) ReferenceParam basedOn,
        @OptionalParam(name = Task.SP_STATUS) TokenParam status) {
      return Providers.search(
          store,
          Task.class,
          t ->
              (identifier == null || Refs.identifierMatches(t.getIdentifier(), identifier))
                  && idMatches(t, id)
                  && (patient == null || Refs.matches(t.getFor(), patient, "Patient"))
                  && (subject == null || Refs.matches(t.getFor(), subject, null))
                  && (focus == null || Refs.matches(t.getFocus(), focus, null))
                  && (basedOn == null || Refs.matchesAny(t.getBasedOn(), basedOn, null))
                  && (status == null || status.getValue().equals(t.getStatus() == null ? null : t.getStatus().toCode())));
    }

    /**
     * Create; with If-None-Exist (identifier=SYSTEM|VALUE, _id=ID, joined by &) it returns the
     * one existing match with 200 instead, or 412 if more than one matches.
     */
    @Create
    public MethodOutcome create(@ResourceParam Task task, @ConditionalUrlParam String condition) {
      synchronized (store) {
        if (condition != null && !condition.isBlank()) {
          List<Task> matches = Providers.search(store, Task.class, conditionFilter(condition));
          if (matches.size() == 1) {
            return outcome(matches.get(0), false);
          }
          if (matches.size() > 1) {
            throw new PreconditionFailedException(
                "If-None-Exist " + condition + " matches " + matches.size() + " Tasks");
          }
        }
        task.setId(store.newId("Task"));
        return outcome(store.put(task), true);
      }
    }

    static Predicate<Task> conditionFilter(String condition) {
      String query = condition.strip();
      int question = query.indexOf('?');
      if (question >= 0) {
        query = query.substring(question + 1); // "Task?identifier=..." or "?identifier=..."
      }
      Predicate<Task> filter = t -> true;
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new InvalidRequestException("If-None-Exist: cannot read " + pair);
        }
        String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        switch (name) {
          case "identifier" -> filter = filter.and(t -> Refs.identifierMatches(t.getIdentifier(), value));
          case "_id" -> filter = filter.and(t -> t.getIdElement().getIdPart().equals(value));
          default -> throw new InvalidRequestException(
              "If-None-Exist: this pharmacy matches only identifier and _id, not " + name);
        }
      }
      return filter;
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Task task) {
      synchronized (store) {
        Task current = (Task) store.get("Task", id.getIdPart());
        if (current == null) {
          throw new ResourceNotFoundException(new IdType("Task", id.getIdPart()));
        }
        if (id.hasVersionIdPart() && !id.getVersionIdPart().equals(current.getMeta().getVersionId())) {
          throw new PreconditionFailedException(
              "If-Match version " + id.getVersionIdPart() + " is not the current version "
                  + current.getMeta().getVersionId() + " of Task/" + id.getIdPart());
        }
        task.setId(id.getIdPart());
        return outcome(store.put(task), false);
      }
    }
  }

  /** MedicationDispense: read (and vread), search. Made by the pharmacy when a Task completes. */
  public static final class MedicationDispenses implements IResourceProvider {
    private final Store store;

    MedicationDispenses(Store store) {
      this.store = store;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
      return MedicationDispense.class;
    }

    @Read(version = true)
    public MedicationDispense read(@IdParam IdType id) {
      return Providers.read(store, MedicationDispense.class, id);
    }

    @Search
    public List<MedicationDispense> search(
        @OptionalParam(name = MedicationDispense.SP_PRESCRIPTION) ReferenceParam prescription,
        @OptionalParam(name = IAnyResource.SP_RES_ID) TokenParam id,
        @OptionalParam(name = MedicationDispense.SP_PATIENT) ReferenceParam patient,
        @OptionalParam(name = MedicationDispense.SP_SUBJECT) ReferenceParam subject) {
      return Providers.search(
          store,
          MedicationDispense.class,
          d ->
              (prescription == null
                      || Refs.matchesAny(d.getAuthorizingPrescription(), prescription, "MedicationRequest"))
                  && idMatches(d, id)
                  && (patient == null || Refs.matches(d.getSubject(), patient, "Patient"))
                  && (subject == null || Refs.matches(d.getSubject(), subject, null)));
    }
  }
}
