// The caregiver's push path through the real library: a scanned offer waits for the endpoint,
// the answer pairs the two phones, a pushed body goes still encrypted to receive(), and the
// caregiver's missed-dose alert is armed.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.Regimen
import org.regimen.bindings.core.MessageKind
import org.regimen.bindings.core.PushResult

class CaregiverPushTest {
    @TempDir
    lateinit var dir: Path

    private val opened = mutableListOf<AutoCloseable>()

    @AfterEach
    fun close() = opened.forEach { it.close() }

    private fun patient(): Regimen = Regimen.open(
        File(dir.toFile(), "patient.db").path,
        RegimenConfig(keyAlias = "patient"),
        WrappedKeyStore(File(dir.toFile(), "patient-keys"), SoftwareWrapper()),
    ).also { opened += it }

    @Test
    fun `an offer answered with the distributor's endpoint pairs, and pushed bodies arm the caregiver's alert`() = runBlocking {
        val patient = patient()
        val first = thisMinute().plus(Duration.ofHours(1))
        patient.addScheduledMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
        val offer = patient.offerShare("Ana", listOf(ShareScope.MEDICINES)).payload

        val caregiver = openClient(dir.toFile(), "caregiver").also { opened += it }
        val port = FakePort()
        val reminders = Reminders(caregiver, ReminderScheduler(port, FileAppliedStore(File(dir.toFile(), "applied")), TEST_KEY), FakeDevice())
        val push = CaregiverPush(caregiver, PendingPairings(File(dir.toFile(), "pairings")), reminders)

        val registration = push.begin(offer, "Ben", Duration.ofMinutes(30))!!
        assertNull(push.answerFor(registration.instance), "no answer before the endpoint")
        val outcome = push.onNewEndpoint(registration.instance, "https://push.example.net/up/abc")
        val answer = (outcome as EndpointOutcome.Answered).step.payload
        assertEquals(answer, push.answerFor(registration.instance))
        assertEquals(EndpointOutcome.PairAgain, push.onNewEndpoint(registration.instance, "https://push.example.net/up/new"))
        patient.acceptAnswer(answer)

        val requests = patient.preparePushRequests(10u)
        assertTrue(requests.all { it.endpoint == "https://push.example.net/up/abc" })
        val kinds = requests.map { request ->
            val received = push.onMessage(request.body)!!
            patient.recordPushResult(request.outboxId, PushResult.Status(201u, null))
            received.kind
        }
        assertEquals(listOf(MessageKind.SHARED, MessageKind.SCHEDULE), kinds)
        val alerts = port.armed.values.filter { it.reminder.kind == NotificationKind.CAREGIVER_ALERT }
        assertEquals(listOf(first.plus(Duration.ofMinutes(30))), alerts.map { it.reminder.fireAt }.take(1))
        assertFalse(alerts.first().answerable)

        port.reset()
        assertTrue(push.onMessage(requests[1].body)!!.ignored, "a second delivery is ignored")
        assertEquals(0, port.alarmCalls)
        assertNull(push.onMessage(ByteArray(64)), "not a Regimen message")
        push.finish(registration.instance)
        assertNull(push.answerFor(registration.instance))
    }

    @Test
    fun `an endpoint the library refuses leaves the offer unanswered`() = runBlocking {
        val offer = patient().offerShare("Ana", emptyList()).payload
        val caregiver = openClient(dir.toFile(), "caregiver").also { opened += it }
        val push = CaregiverPush(caregiver, PendingPairings(File(dir.toFile(), "pairings")), null)
        val registration = push.begin(offer, "Ben")!!
        val refused = push.onNewEndpoint(registration.instance, "http://push.example.net/plain")
        assertTrue(refused is EndpointOutcome.Refused, refused.toString())
        assertTrue(caregiver.shares().isEmpty())
        assertNull(push.begin("{}", "Ben"))
    }
}
