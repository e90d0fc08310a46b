// Test doubles for the OS side of reminders, and helpers that open a real Regimen on a temp file.
package org.regimen.android

import java.io.File
import java.time.Duration
import java.time.Instant
import java.time.ZoneId
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.ZonePolicy

/** An AlarmPort that records what it was told, and what is armed and on screen as a phone would. */
class FakePort : AlarmPort {
    /** Armed alarms by platform id. */
    val armed = linkedMapOf<Int, ReminderContent>()
    val armCalls = mutableListOf<ReminderContent>()
    val cancelCalls = mutableListOf<ArmedReminder>()
    val refreshCalls = mutableListOf<Pair<Instant, AlarmMode>>()
    val shown = mutableListOf<ArmedReminder>()
    val dismissed = mutableListOf<PostedReminder>()
    val posted = mutableListOf<PostedReminder>()
    var notice: ReminderNotice? = null

    /** Alarm calls (arm, cancel, refresh) since the last [reset]. */
    val alarmCalls: Int get() = armCalls.size + cancelCalls.size + refreshCalls.size

    fun reset() {
        armCalls.clear()
        cancelCalls.clear()
        refreshCalls.clear()
        shown.clear()
        dismissed.clear()
    }

    override fun arm(content: ReminderContent) {
        armCalls += content
        armed[content.reminder.platformId] = content
    }

    override fun cancel(reminder: ArmedReminder) {
        cancelCalls += reminder
        armed.remove(reminder.platformId)
    }

    override fun armRefresh(at: Instant, mode: AlarmMode) {
        refreshCalls += at to mode
        refreshArmed = true
    }

    /** Whether a refresh alarm is armed. */
    var refreshArmed = false

    override fun cancelRefresh() {
        refreshArmed = false
    }

    override fun showNow(reminder: ArmedReminder) {
        shown += reminder
    }

    override fun dismiss(posted: PostedReminder) {
        dismissed += posted
        this.posted.remove(posted)
    }

    override fun notice(notice: ReminderNotice?) {
        this.notice = notice
    }

    /** A reboot: the OS forgets every alarm. */
    fun reboot() {
        armed.clear()
    }
}

/** A phone whose permissions the test sets. */
class FakeDevice(
    var exact: Boolean = true,
    var notifications: Boolean = true,
    var zone: ZoneId = ZoneId.of("UTC"),
    private val port: FakePort? = null,
) : DeviceState {
    override fun canScheduleExactAlarms() = exact

    override fun notificationsEnabled() = notifications

    override fun zone(): ZoneId = zone

    override fun posted(): List<PostedReminder> = port?.posted?.toList().orEmpty()
}

/** The fingerprint key every test uses. */
val TEST_KEY = ByteArray(32) { 7 }

/** A client on a new database in [dir], its key wrapped in software. */
fun openClient(dir: File, name: String = "patient", zone: ZoneId = ZoneId.of("UTC")): RegimenClient = runBlocking {
    RegimenClient.open(
        File(dir, "$name.db").path,
        WrappedKeyStore(File(dir, "$name-keys"), SoftwareWrapper()),
        RegimenConfig(keyAlias = name),
        zone = { zone },
    )
}

/** A dose every [every] (whole hours) of real time from [first] (minute precision, written in UTC). */
fun everyFrom(first: Instant, every: Duration): Schedule = Schedule(
    start = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").format(first.atZone(ZoneOffset.UTC)),
    zone = "UTC",
    policy = ZonePolicy.ELAPSED,
    phases = listOf(
        Phase(timing = Timing(repeat = TimingRepeat(frequency = 1u, period = every.toHours().toDouble(), periodUnit = UnitOfTime.H))),
    ),
)

/** The current minute, so that schedules written to the minute line up with the plan. */
fun thisMinute(): Instant = Instant.now().truncatedTo(ChronoUnit.MINUTES)

/** A hand-made planned notification (the bindings' own record). */
fun planned(
    platformId: Int,
    kind: NotificationKind,
    fireAt: Instant,
    dueAt: Instant = fireAt,
    medicines: List<Long> = listOf(1L),
    title: String = "Medicines",
    body: String = "Time for your medicines",
    shareId: Long? = null,
): PlannedNotification = PlannedNotification(
    id = "${kind.name.lowercase()}/${fireAt.toEpochMilli()}/${medicines.joinToString("+")}",
    platformId = platformId,
    kind = kind,
    fireAt = fireAt,
    dueAt = dueAt,
    medicineIds = medicines,
    shareId = shareId,
    title = title,
    body = body,
    group = "dose/${dueAt.toEpochMilli()}",
)

/** A plan of [notifications], planned again at [refreshAt]. */
fun planOf(refreshAt: Instant, vararg notifications: PlannedNotification): NotificationPlan =
    NotificationPlan(notifications.toList(), refreshAt, emptyList(), emptyList())

/** A dose of [medicine] due at [dueAt] standing at [status]. */
fun doseAt(medicine: Long, dueAt: Instant, status: DoseStatus): ScheduledDose =
    ScheduledDose(medicineId = medicine, dueAt = dueAt, dose = null, status = status, event = null, moved = null, nextChange = null)

/** The value [this] flow shows, then the one it emits after [change], within ten seconds. */
suspend fun <T> Flow<T>.aroundChange(change: suspend () -> Unit): Pair<T, T> = coroutineScope {
    val emissions = Channel<T>(Channel.UNLIMITED)
    val collector = launch { collect { emissions.send(it) } }
    try {
        val before = withTimeout(10_000) { emissions.receive() }
        change()
        before to withTimeout(10_000) { emissions.receive() }
    } finally {
        collector.cancel()
    }
}
