package org.regimen.pharmacy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.IValidatorModule;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.utilities.i18n.I18nConstants;

/**
 * HAPI FHIR's R4 instance validator, set up for a pharmacy that has no terminology server and
 * no network: what it cannot check offline is a warning, what is wrong in the resource itself
 * is an error.
 *
 * <p>Chain: DefaultProfileValidationSupport (the R4 core StructureDefinitions, ValueSets and
 * CodeSystems from hapi-fhir-validation-resources-r4), CommonCodeSystemsTerminologyService
 * (UCUM, languages, MIME types, countries, currencies), InMemoryTerminologyServerValidationSupport
 * (expands the core ValueSets, so required bindings such as Task.status and Task.intent are
 * checked), and last UnknownCodeSystemWarningValidationSupport at WARNING, so a code from a system
 * that is not in the core package (SNOMED CT, RxNorm, LOINC...) is a warning, not an error.
 *
 * <p>The validator is told to assume that REST references (MedicationRequest/rx1) resolve (there
 * is no fetcher, so it does not try), not to fail on unknown profiles in meta.profile, and to
 * allow any extension. {@link #DOWNGRADED} lists the message ids that are still lowered to
 * warnings afterwards (the "cannot check this offline" family).
 */
final class Validation {
  /**
   * Message ids (org.hl7.fhir.utilities.i18n.I18nConstants) whose ERROR is an infrastructure
   * limit here, not a fault of the resource: lowered to WARNING.
   */
  static final Set<String> DOWNGRADED =
      Set.of(
          // No terminology server: a code system or value set that is not in the core package.
          I18nConstants.TERMINOLOGY_TX_SYSTEM_UNKNOWN,
          I18nConstants.TERMINOLOGY_TX_SYSTEM_NOT_USABLE,
          I18nConstants.UNKNOWN_CODESYSTEM,
          I18nConstants.UNKNOWN_CODESYSTEM_VERSION,
          I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND,
          I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND_CS,
          I18nConstants.TERMINOLOGY_PASSTHROUGH_TX_MESSAGE,
          // References the validator cannot follow (nothing is fetched).
          I18nConstants.REFERENCE_REF_CANTRESOLVE,
          I18nConstants.REFERENCE_REF_CANTRESOLVEPROFILE,
          I18nConstants.REFERENCE_REF_NOTFOUND_BUNDLE,
          // A profile named in meta.profile that is not known here.
          I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN,
          I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY,
          I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_ERROR,
          I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_ERROR_NETWORK);

  final FhirContext ctx;
  final FhirValidator validator;

  Validation(FhirContext ctx) {
    this.ctx = ctx;
    UnknownCodeSystemWarningValidationSupport unknownCodeSystems =
        new UnknownCodeSystemWarningValidationSupport(ctx);
    unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
    ValidationSupportChain chain =
        new ValidationSupportChain(
            new DefaultProfileValidationSupport(ctx),
            new CommonCodeSystemsTerminologyService(ctx),
            new InMemoryTerminologyServerValidationSupport(ctx),
            unknownCodeSystems);
    FhirInstanceValidator instanceValidator = new FhirInstanceValidator(chain);
    instanceValidator.setAnyExtensionsAllowed(true);
    instanceValidator.setErrorForUnknownProfiles(false);
    instanceValidator.setAssumeValidRestReferences(true);
    instanceValidator.setBestPracticeWarningLevel(BestPracticeWarningLevel.Warning);
    validator = ctx.newValidator();
    validator.setValidateAgainstStandardSchema(false);
    validator.setValidateAgainstStandardSchematron(false);
    validator.registerValidatorModule(new Downgrading(instanceValidator));
  }

  /** The outcome of validating one JSON document. */
  record Outcome(List<String> errors, List<String> warnings, ValidationResult result) {
    boolean ok() {
      return errors.isEmpty();
    }
  }

  Outcome validate(String json) {
    return summarize(validator.validateWithResult(json));
  }

  static Outcome summarize(ValidationResult result) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (SingleValidationMessage m : result.getMessages()) {
      String text =
          (m.getLocationString() == null ? "" : m.getLocationString() + ": ") + m.getMessage();
      if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) {
        errors.add(text);
      } else if (m.getSeverity() == ResultSeverityEnum.WARNING) {
        warnings.add(text);
      }
    }
    return new Outcome(errors, warnings, result);
  }

  /** Runs the instance validator and lowers {@link #DOWNGRADED} errors to warnings. */
  private record Downgrading(IValidatorModule inner) implements IValidatorModule {
    @Override
    public void validateResource(IValidationContext<IBaseResource> context) {
      inner.validateResource(
          new IValidationContext<>() {
            @Override
            public FhirContext getFhirContext() {
              return context.getFhirContext();
            }

            @Override
            public IBaseResource getResource() {
              return context.getResource();
            }

            @Override
            public String getResourceAsString() {
              return context.getResourceAsString();
            }

            @Override
            public EncodingEnum getResourceAsStringEncoding() {
              return context.getResourceAsStringEncoding();
            }

            @Override
            public void addValidationMessage(SingleValidationMessage message) {
              if (message.getSeverity() == ResultSeverityEnum.ERROR
                  && message.getMessageId() != null
                  && DOWNGRADED.contains(message.getMessageId())) {
                message.setSeverity(ResultSeverityEnum.WARNING);
              }
              context.addValidationMessage(message);
            }

            @Override
            public List<SingleValidationMessage> getMessages() {
              return context.getMessages();
            }

            @Override
            public ValidationResult toResult() {
              return context.toResult();
            }

            @Override
            public ValidationOptions getOptions() {
              return context.getOptions();
            }
          });
    }
  }
}
