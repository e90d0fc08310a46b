package org.regimen.pharmacy;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * In front of /fhir: logs every request, counts Task creates, and plays the faults armed by the
 * control API (fail-next, reject-next, drop-answer-next).
 */
final class FaultFilter implements Filter {
  private final FhirContext ctx;
  private final Store store;

  FaultFilter(FhirContext ctx, Store store) {
    this.ctx = ctx;
    this.store = store;
  }

  private enum Fault { NONE, FAIL, REJECT, DROP }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String path = request.getRequestURI();
    String type = typeLevelResource(path);
    boolean create = "POST".equals(request.getMethod()) && type != null;

    Fault fault = Fault.NONE;
    int status = 0;
    String text = null;
    synchronized (store) {
      if (create && type.equals("Task")) {
        store.taskCreatesAttempted++;
      }
      if (store.failNextCount > 0) {
        store.failNextCount--;
        fault = Fault.FAIL;
        status = store.failNextStatus;
        text = store.failNextRetryAfter;
      } else if (create && store.rejectNextStatus != null) {
        fault = Fault.REJECT;
        status = store.rejectNextStatus;
        text = store.rejectNextMessage;
        store.rejectNextStatus = null;
        store.rejectNextMessage = null;
      } else if (create && store.dropAnswerNext) {
        fault = Fault.DROP;
        store.dropAnswerNext = false;
      }
    }

    response.setDateHeader("Date", System.currentTimeMillis());
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("method", request.getMethod());
    entry.put("path", path);
    entry.put("query", request.getQueryString());
    String ifNoneExist = request.getHeader("If-None-Exist");
    if (ifNoneExist != null) {
      entry.put("if_none_exist", ifNoneExist);
    }
    try {
      switch (fault) {
        case FAIL -> {
          entry.put("fault", "fail-next");
          if (status >= 500) {
            if (text != null) {
              response.setHeader("Retry-After", text);
            }
            response.setStatus(status);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().write("HTTP " + status + " (injected by /control/fail-next)\n");
          } else {
            writeOutcome(response, status, "injected by /control/fail-next");
          }
        }
        case REJECT -> {
          entry.put("fault", "reject-next");
          writeOutcome(response, status, text);
        }
        case DROP -> {
          entry.put("fault", "drop-answer-next");
          Buffered buffered = new Buffered(response);
          chain.doFilter(request, buffered);
          entry.put("dropped", true); // "status" is what the answer would have been
          // The request was processed; now lose the answer: close the connection unanswered.
          ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
          jetty.getConnectionMetaData().getConnection().getEndPoint().close();
        }
        case NONE -> chain.doFilter(request, response);
      }
    } finally {
      entry.put("status", response.getStatus());
      store.logRequest(entry);
    }
  }

  /** "Task" for /fhir/Task (a type-level URL: create, search), else null. */
  static String typeLevelResource(String path) {
    String prefix = "/fhir/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    String rest = path.substring(prefix.length());
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (rest.isEmpty() || rest.contains("/") || !Character.isUpperCase(rest.charAt(0))) {
      return null;
    }
    return rest;
  }

  private void writeOutcome(HttpServletResponse response, int status, String diagnostics) throws IOException {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(issueType(status))
        .setDiagnostics(diagnostics);
    response.setStatus(status);
    response.setContentType("application/fhir+json;charset=utf-8");
    response.getWriter().write(ctx.newJsonParser().encodeResourceToString(outcome));
  }

  private static OperationOutcome.IssueType issueType(int status) {
    return switch (status) {
      case 400, 422 -> OperationOutcome.IssueType.INVALID;
      case 401, 403 -> OperationOutcome.IssueType.SECURITY;
      case 404, 410 -> OperationOutcome.IssueType.NOTFOUND;
      case 409, 412 -> OperationOutcome.IssueType.CONFLICT;
      case 429 -> OperationOutcome.IssueType.THROTTLED;
      default -> OperationOutcome.IssueType.PROCESSING;
    };
  }

  /** Keeps the whole answer (status, headers pass through uncommitted, body in memory). */
  private static final class Buffered extends HttpServletResponseWrapper {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private PrintWriter writer;

    Buffered(HttpServletResponse response) {
      super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() {
      return new ServletOutputStream() {
        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}

        @Override
        public void write(int b) {
          body.write(b);
        }
      };
    }

    @Override
    public PrintWriter getWriter() {
      if (writer == null) {
        writer = new PrintWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8));
      }
      return writer;
    }

    @Override
    public void flushBuffer() {}

    @Override
    public void setContentLength(int len) {}

    @Override
    public void setContentLengthLong(long len) {}
  }
}
