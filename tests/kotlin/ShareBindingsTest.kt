// Kotlin tests of caregiver sharing through the generated bindings: two Regimen instances
// pair, the patient's messages reach the caregiver both through prepared requests (the app's
// own HTTP stack) and through sendPending (a suspend fun) against a push endpoint on loopback,
// and the caregiver's plan holds its own missed-dose alert.
package org.regimen.tests

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit
import java.util.Collections
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.android.UrlConnectionHttp
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.MessageKind
import org.regimen.bindings.core.NotificationKind
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.PushOutcome
import org.regimen.bindings.core.PushResult
import org.regimen.bindings.core.Schedule
import org.regimen.bindings.core.ShareScope
import org.regimen.bindings.core.ShareState
import org.regimen.bindings.core.SharedDoseStatus
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.ZonePolicy

class ShareBindingsTest {
    @TempDir
    lateinit var dir: Path

    private val keys = MemoryKeyStore()

    private fun open(who: String) = Regimen.open(
        dir.resolve("$who.db").toString(),
        RegimenConfig(keyAlias = who, pushContact = "mailto:sharing@example.org"),
        keys,
    )

    /** A dose every 6 hours, the next one in an hour (UTC wall clock). */
    private fun everySixHours(first: Instant) = Schedule(
        start = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").format(first.atZone(ZoneOffset.UTC)),
        zone = "UTC",
        policy = ZonePolicy.ELAPSED,
        phases = listOf(
            Phase(timing = Timing(repeat = TimingRepeat(frequency = 1u, period = 6.0, periodUnit = UnitOfTime.H))),
        ),
    )

    @Test
    fun `two instances pair and messages flow through prepared requests`() {
        open("patient").use { patient ->
            open("caregiver").use { caregiver ->
                val first = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES)
                patient.addScheduledMedicine(MedicineInfo(name = "Amoxicillin"), everySixHours(first))

                val offer = patient.offerShare("Ana", listOf(ShareScope.MEDICINES))
                assertEquals(ShareState.OFFERED, offer.share.state)
                val answer = caregiver.answerOffer(offer.payload, "https://push.example.net/send/abc", "Ben", null)
                val accepted = patient.acceptAnswer(answer.payload)
                assertEquals(ShareState.ACTIVE, accepted.state)
                assertEquals("Ben", accepted.peerName)

                val requests = patient.preparePushRequests(100u)
                assertEquals(2, requests.size)
                val kinds = requests.map { request ->
                    assertEquals("https://push.example.net/send/abc", request.endpoint)
                    assertTrue(request.headers.any { it.name == "Content-Encoding" && it.value == "aes128gcm" })
                    assertTrue(request.headers.any { it.name == "Authorization" && it.value.startsWith("vapid t=") })
                    val received = caregiver.receive(request.body)
                    val outcome = patient.recordPushResult(request.outboxId, PushResult.Status(201u, null))
                    assertEquals(PushOutcome.Delivered, outcome)
                    received.kind
                }
                assertEquals(listOf(MessageKind.SHARED, MessageKind.SCHEDULE), kinds)
                assertTrue(caregiver.receive(requests[0].body).ignored)

                val share = caregiver.shares().single()
                assertEquals("Ana", share.peerName)
                val view = caregiver.patientView(share.id, first, first.plus(Duration.ofHours(7)))
                assertEquals(listOf("Amoxicillin", "Amoxicillin"), view.doses.map { it.name })
                assertEquals(SharedDoseStatus.UPCOMING, view.doses[0].status)

                // The caregiver's own plan alerts an hour after the first dose, unless confirmed.
                val alerts = caregiver.planNotifications(Duration.ofHours(3), 64u).notifications
                    .filter { it.kind == NotificationKind.CAREGIVER_ALERT }
                assertEquals(listOf(first.plus(Duration.ofHours(1))), alerts.map { it.fireAt })
                assertEquals(share.id, alerts[0].shareId)
                assertFalse(alerts[0].body.contains("Amoxicillin"), "generic text by default")
            }
        }
    }

    @Test
    fun `sendPending posts to the endpoint and bad payloads are typed errors`() {
        val bodies = Collections.synchronizedList(mutableListOf<ByteArray>())
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/push/ben") { exchange ->
            bodies.add(exchange.requestBody.readAllBytes())
            exchange.sendResponseHeaders(201, -1)
            exchange.close()
        }
        server.start()
        try {
            open("patient").use { patient ->
                open("caregiver").use { caregiver ->
                    val endpoint = "http://127.0.0.1:${server.address.port}/push/ben"
                    val offer = patient.offerShare("Ana", emptyList())
                    val answer = caregiver.answerOffer(offer.payload, endpoint, "Ben", 30u)
                    patient.acceptAnswer(answer.payload)

                    val report = runBlocking { patient.sendPending(UrlConnectionHttp()) }
                    assertEquals(2u, report.delivered)
                    assertEquals(null, report.nextAttemptAt)
                    bodies.forEach { caregiver.receive(it) }
                    assertEquals(ShareState.ACTIVE, caregiver.shares().single().state)
                    assertEquals(listOf(ShareScope.ADHERENCE), caregiver.shares().single().scopes)

                    val bad = assertThrows(RegimenException.InvalidInput::class.java) {
                        caregiver.answerOffer("{}", endpoint, "Ben", null)
                    }
                    assertEquals("offer", bad.field)
                    val notOurs = assertThrows(RegimenException.InvalidInput::class.java) {
                        caregiver.receive(ByteArray(100))
                    }
                    assertEquals("body", notOurs.field)
                }
            }
        } finally {
            server.stop(0)
        }
    }
}
