// The iOS HttpClient hook: Regimen's requests carried by URLSession, so HTTPS is checked by the
// system (App Transport Security, the device's trust store) and the system's proxies apply.

import Foundation
import RegimenBindings

/// Makes the library's requests with an ephemeral `URLSession`: no cookies, no cache, no
/// credentials, a fixed `User-Agent` rather than one naming the device. Redirects are followed
/// only when the request allows, and never from https to another scheme; the answer is read up
/// to the request's `maxResponseBytes`.
public final class URLSessionHttp: HttpClient, @unchecked Sendable {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    public func send(request: HttpRequest) async throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw HttpError.Failed(reason: "the URL cannot be read")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.timeoutInterval = TimeInterval(request.connectTimeoutMs) / 1000
        urlRequest.httpMethod = request.method == .post ? "POST" : "GET"
        urlRequest.setValue("Regimen", forHTTPHeaderField: "User-Agent")
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body
        let redirects = RedirectPolicy(follow: request.followRedirects)
        let deadline = Date().addingTimeInterval(TimeInterval(request.timeoutMs) / 1000)
        do {
            let (bytes, response) = try await session.bytes(for: urlRequest, delegate: redirects)
            guard let http = response as? HTTPURLResponse else {
                throw HttpError.Failed(reason: "the answer is not HTTP")
            }
            let limit = Int64(request.maxResponseBytes)
            if http.expectedContentLength > limit {
                throw HttpError.TooLarge(reason: "longer than the request allows")
            }
            var body = Data()
            for try await byte in bytes {
                if Int64(body.count) >= limit {
                    throw HttpError.TooLarge(reason: "longer than the request allows")
                }
                if Date() > deadline {
                    throw HttpError.Timeout(reason: "the answer took too long")
                }
                body.append(byte)
            }
            let headers = http.allHeaderFields.compactMap { name, value -> HttpHeader? in
                guard let name = name as? String, let value = value as? String else { return nil }
                return HttpHeader(name: name, value: value)
            }
            return HttpResponse(status: UInt16(http.statusCode), headers: headers, body: body)
        } catch let error as HttpError {
            throw error
        } catch let error as URLError {
            switch error.code {
            case .timedOut:
                throw HttpError.Timeout(reason: "no answer in time")
            case .cannotFindHost, .cannotConnectToHost, .notConnectedToInternet, .networkConnectionLost,
                 .dnsLookupFailed, .secureConnectionFailed, .serverCertificateUntrusted,
                 .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                throw HttpError.Unreachable(reason: "no connection")
            default:
                throw HttpError.Failed(reason: "the exchange did not complete")
            }
        }
    }
}

/// Follows a redirect only when the request allows it and it stays on https (or, for a test
/// server on this device, on http).
private final class RedirectPolicy: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let follow: Bool

    init(follow: Bool) {
        self.follow = follow
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let from = task.originalRequest?.url?.scheme?.lowercased()
        let to = request.url?.scheme?.lowercased()
        completionHandler(follow && from == to ? request : nil)
    }
}
