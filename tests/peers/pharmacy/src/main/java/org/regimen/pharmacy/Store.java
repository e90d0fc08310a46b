package org.regimen.pharmacy;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Everything the pharmacy knows, in memory: every version of every resource, the validation and
 * request logs, and the faults the control API has armed. One lock (this) for all of it; callers
 * that need a check-then-act (conditional create) hold it across both.
 */
final class Store {
  /** type -> id -> versions (index 0 is version 1). */
  private final Map<String, Map<String, List<Resource>>> resources = new HashMap<>();

  private final Map<String, Integer> idCounters = new HashMap<>();
  final List<Map<String, Object>> validations = new ArrayList<>();
  final List<Map<String, Object>> requests = new ArrayList<>();
  int taskCreatesAttempted;

  /** The pharmacy's clock for what it writes into Tasks and dispenses; null: the real one. */
  Date clock;

  // Faults armed by /control (see FaultFilter).
  int failNextCount;
  int failNextStatus;
  String failNextRetryAfter;
  Integer rejectNextStatus;
  String rejectNextMessage;
  boolean dropAnswerNext;

  synchronized void reset() {
    resources.clear();
    idCounters.clear();
    validations.clear();
    requests.clear();
    taskCreatesAttempted = 0;
    failNextCount = 0;
    rejectNextStatus = null;
    rejectNextMessage = null;
    dropAnswerNext = false;
    clock = null;
  }

  /** A fresh id for a new resource of this type, e.g. task-1. */
  synchronized String newId(String type) {
    String prefix =
        switch (type) {
          case "MedicationDispense" -> "dispense";
          case "MedicationRequest" -> "rx";
          default -> type.toLowerCase();
        };
    while (true) {
      int n = idCounters.merge(type, 1, Integer::sum);
      String id = prefix + "-" + n;
      if (!resources.getOrDefault(type, Map.of()).containsKey(id)) {
        return id;
      }
    }
  }

  /**
   * Stores a new version of the resource under its id (which must be set), stamping
   * meta.versionId and meta.lastUpdated and the id's version. Returns a copy of what was stored.
   */
  synchronized Resource put(Resource resource) {
    String type = resource.fhirType();
    String id = resource.getIdElement().getIdPart();
    List<Resource> versions =
        resources.computeIfAbsent(type, t -> new LinkedHashMap<>()).computeIfAbsent(id, i -> new ArrayList<>());
    String version = Integer.toString(versions.size() + 1);
    Resource stored = resource.copy();
    stored.setId(new IdType(type, id, version));
    stored.getMeta().setVersionId(version);
    stored.getMeta().setLastUpdated(new Date());
    versions.add(stored);
    return stored.copy();
  }

  /** The current version, a copy, or null. */
  synchronized Resource get(String type, String id) {
    List<Resource> versions = resources.getOrDefault(type, Map.of()).get(id);
    return versions == null ? null : versions.get(versions.size() - 1).copy();
  }

  /** A given version, a copy, or null. */
  synchronized Resource get(String type, String id, String version) {
    List<Resource> versions = resources.getOrDefault(type, Map.of()).get(id);
    if (versions == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(version);
      return n >= 1 && n <= versions.size() ? versions.get(n - 1).copy() : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Copies of the current versions of all resources of this type, in creation order. */
  synchronized List<Resource> all(String type) {
    List<Resource> out = new ArrayList<>();
    for (List<Resource> versions : resources.getOrDefault(type, Map.of()).values()) {
      out.add(versions.get(versions.size() - 1).copy());
    }
    return out;
  }

  synchronized int count(String type) {
    return resources.getOrDefault(type, Map.of()).size();
  }

  synchronized void logValidation(Map<String, Object> entry) {
    validations.add(entry);
  }

  synchronized void logRequest(Map<String, Object> entry) {
    requests.add(entry);
  }
}
