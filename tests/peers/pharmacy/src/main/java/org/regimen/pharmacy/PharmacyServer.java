package org.regimen.pharmacy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.util.VersionUtil;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** HAPI FHIR's plain RestfulServer with the pharmacy's providers and request validation. */
final class PharmacyServer extends RestfulServer {
  private final transient Store store;
  private final transient Validation validation;

  PharmacyServer(FhirContext ctx, Store store, Validation validation) {
    super(ctx);
    this.store = store;
    this.validation = validation;
  }

  @Override
  protected void initialize() {
    setResourceProviders(
        new Providers.MedicationRequests(store),
        new Providers.Tasks(store),
        new Providers.MedicationDispenses(store));
    setDefaultResponseEncoding(EncodingEnum.JSON);
    setDefaultPreferReturn(PreferReturnEnum.REPRESENTATION);
    setServerName("Regimen test pharmacy on HAPI FHIR");
    setServerVersion(VersionUtil.getVersion());
    setImplementationDescription("In-memory stand-in e-pharmacy for Regimen's refill tests");
    registerInterceptor(new LoggingRequestValidator(store, validation));
  }

  /**
   * HAPI's RequestValidatingInterceptor (validates the raw body of every create and update
   * before the provider sees it; an error or fatal issue is a 422 with the OperationOutcome),
   * plus a log entry for /control/state.
   */
  static final class LoggingRequestValidator extends RequestValidatingInterceptor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Store store;

    LoggingRequestValidator(Store store, Validation validation) {
      this.store = store;
      setValidator(validation.validator);
      setFailOnSeverity(ResultSeverityEnum.ERROR);
      setAddResponseHeaderOnSeverity(null);
    }

    @Override
    protected void postProcessResult(RequestDetails request, ValidationResult result) {
      log(request, result, true);
    }

    @Override
    protected void postProcessResultOnFailure(RequestDetails request, ValidationResult result) {
      log(request, result, false);
    }

    private void log(RequestDetails request, ValidationResult result, boolean accepted) {
      Validation.Outcome outcome = Validation.summarize(result);
      String type = request.getResourceName();
      String id = request.getId() != null ? request.getId().getIdPart() : null;
      try {
        JsonNode body = JSON.readTree(request.loadRequestContents());
        if (body != null && body.hasNonNull("resourceType")) {
          type = body.get("resourceType").asText();
        }
        if (id == null && body != null && body.hasNonNull("id")) {
          id = body.get("id").asText();
        }
      } catch (Exception e) {
        // not JSON: the validator has said so
      }
      store.logValidation(entry("fhir", request.getRequestType().name(), type, id, outcome, accepted));
    }
  }

  static Map<String, Object> entry(
      String source, String method, String type, String id, Validation.Outcome outcome, boolean accepted) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("type", type);
    entry.put("id", id);
    entry.put("source", source);
    entry.put("method", method);
    entry.put("accepted", accepted);
    entry.put("errors", outcome.errors());
    entry.put("warnings", outcome.warnings().size());
    entry.put("warning_messages", outcome.warnings());
    return entry;
  }
}
