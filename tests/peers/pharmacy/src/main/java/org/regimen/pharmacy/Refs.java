package org.regimen.pharmacy;

import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.List;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/** Matching references and identifiers the way the searches and the control API need. */
final class Refs {
  private Refs() {}

  /**
   * "Type/id" for a literal reference in any of its forms (relative, absolute URL, with
   * /_history/N), or null for a contained (#x), logical-only or empty reference.
   */
  static String typeAndId(Reference reference) {
    if (reference == null || !reference.hasReference()) {
      return null;
    }
    String value = reference.getReference();
    if (value.startsWith("#") || value.startsWith("urn:")) {
      return null;
    }
    int query = value.indexOf('?');
    if (query >= 0) {
      value = value.substring(0, query);
    }
    int history = value.indexOf("/_history/");
    if (history >= 0) {
      value = value.substring(0, history);
    }
    String[] parts = value.split("/");
    if (parts.length < 2) {
      return null;
    }
    return parts[parts.length - 2] + "/" + parts[parts.length - 1];
  }

  /**
   * Whether a reference matches a search parameter value: "Patient/p1", "p1" (any type, or the
   * type the parameter implies), or an absolute URL.
   */
  static boolean matches(Reference reference, ReferenceParam param, String impliedType) {
    String actual = typeAndId(reference);
    if (actual == null) {
      return false;
    }
    String wantedId = param.getIdPart();
    String wantedType = param.getResourceType() != null ? param.getResourceType() : impliedType;
    String[] parts = actual.split("/");
    return parts[1].equals(wantedId) && (wantedType == null || parts[0].equals(wantedType));
  }

  static boolean matchesAny(List<Reference> references, ReferenceParam param, String impliedType) {
    return references.stream().anyMatch(r -> matches(r, param, impliedType));
  }

  /**
   * Token search on identifiers: "system|value", "|value" (no system), "value" (any system),
   * "system|" (any value in that system).
   */
  static boolean identifierMatches(List<Identifier> identifiers, TokenParam token) {
    for (Identifier identifier : identifiers) {
      String value = token.getValue();
      if (value != null && !value.isEmpty() && !value.equals(identifier.getValue())) {
        continue;
      }
      String system = token.getSystem();
      if (system == null) {
        return true;
      }
      if (system.isEmpty() ? !identifier.hasSystem() : system.equals(identifier.getSystem())) {
        return true;
      }
    }
    return false;
  }

  /** Same as {@link #identifierMatches} for a raw "system|value" or "value" string. */
  static boolean identifierMatches(List<Identifier> identifiers, String token) {
    int bar = token.indexOf('|');
    TokenParam param =
        bar < 0 ? new TokenParam(null, token) : new TokenParam(token.substring(0, bar), token.substring(bar + 1));
    return identifierMatches(identifiers, param);
  }
}
