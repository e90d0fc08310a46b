// Android-only wiring (needs the Android SDK; compiled here against android-all): where the
// files live, when the database may be opened, and the entry points the receivers call. Every
// decision is in the plain-Kotlin classes it wires together.
package org.regimen.android

import android.Manifest
import android.app.AlarmManager
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import android.os.UserManager
import android.provider.Settings as AndroidSettings
import android.util.Log
import java.io.File
import java.security.SecureRandom
import java.time.Instant
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import org.regimen.bindings.core.RegimenException

/** Implemented by the app's `Application`: how Regimen's receivers find the app's [RegimenAndroid]. */
interface RegimenHost {
    /** The one [RegimenAndroid] of the process. */
    val regimen: RegimenAndroid
}

/**
 * Words the library shows by itself, in the app's language.
 *
 * @property channelDoses name of the doses channel.
 * @property channelFollowUps name of the follow-ups channel.
 * @property channelRefills name of the refills channel.
 * @property channelCaregiver name of the caregiver alerts channel.
 * @property channelStatus name of the reminder status channel.
 * @property taken the Taken action.
 * @property snooze the Snooze action.
 * @property skip the Skip action.
 * @property lockedTitle title of a reminder armed before the first unlock (no database yet).
 * @property lockedBody its text.
 * @property catchUpTitle title of a reminder that came due while the phone was off.
 * @property catchUpBody its text.
 * @property inexactTitle title of the notice shown when exact alarms are not allowed.
 * @property inexactBody its text.
 */
data class RegimenTexts(
    val channelDoses: String = "Doses",
    val channelFollowUps: String = "Follow-ups",
    val channelRefills: String = "Refills",
    val channelCaregiver: String = "Caregiver alerts",
    val channelStatus: String = "Reminder status",
    val taken: String = "Taken",
    val snooze: String = "Snooze",
    val skip: String = "Skip",
    val refillRequested: String = "Refill requested",
    val enough: String = "I have enough",
    val lockedTitle: String = "Medicine reminder",
    val lockedBody: String = "Unlock your phone to see it",
    val catchUpTitle: String = "Medicine reminder",
    val catchUpBody: String = "A reminder came due while the phone was off",
    val inexactTitle: String = "Reminders may be late",
    val inexactBody: String = "Allow alarms and reminders so that doses are reminded on time",
)

/** Something the caregiver's push registration reported, for the pairing screen. */
sealed class PairingEvent {
    /** The offer under [instance] was answered: show the answer payload. */
    data class Answered(
        /** The UnifiedPush instance. */
        val instance: String,
        /** The payload to show the patient. */
        val answer: String,
    ) : PairingEvent() {
        /** No payload in logs. */
        override fun toString(): String = "Answered($instance)"
    }

    /** No endpoint: no distributor, the registration failed, or the library refused it. */
    data class Failed(
        /** The UnifiedPush instance. */
        val instance: String,
        /** Why, without health data. */
        val reason: String,
    ) : PairingEvent()

    /** A share already answered got a new endpoint: the caregiver must pair again. */
    data class PairAgain(
        /** The UnifiedPush instance. */
        val instance: String,
    ) : PairingEvent()
}

/**
 * Regimen in an Android process. The app creates one in its `Application` (which implements
 * [RegimenHost]) and calls [start] from `onCreate`; the receivers reach it through [from].
 *
 * Direct boot: the database and its wrapped key live in credential-protected storage, which
 * cannot be read between a reboot and the first unlock. Before that unlock only the
 * device-protected copy of what was armed is read ([onLockedBoot]): alarms still to come are
 * armed again with neutral text and no actions, those that came due are shown in neutral
 * words; BOOT_COMPLETED, after the unlock, applies the real plan. Nothing here opens the
 * database while the user is locked.
 *
 * @param context any context of the app.
 * @param databaseName the database file under the app's database directory.
 * @param config how the database is opened.
 * @param texts the words the library shows by itself.
 * @param smallIcon the notifications' small icon (a drawable resource id of the app).
 */
class RegimenAndroid(
    context: Context,
    private val databaseName: String = "regimen.db",
    private val config: RegimenConfig = RegimenConfig(),
    /** The words the library shows by itself. */
    val texts: RegimenTexts = RegimenTexts(),
    smallIcon: Int = android.R.drawable.ic_popup_reminder,
) {
    private val app: Context = context.applicationContext
    private val device: Context = app.createDeviceProtectedStorageContext()
    private val lock = Mutex()
    private var opened: RegimenClient? = null
    private var loop: Reminders? = null
    private val events = MutableSharedFlow<PairingEvent>(extraBufferCapacity = 16)

    /** Work started by receivers and [start]; lives as long as the process. */
    val scope: CoroutineScope = CoroutineScope(
        SupervisorJob() + Dispatchers.IO + CoroutineExceptionHandler { _, e -> Log.e(TAG, "uncaught: ${e.javaClass.simpleName}") },
    )

    /** The OS side of reminders. */
    val port: AndroidAlarmPort = AndroidAlarmPort(app, texts, smallIcon)

    /** The key store: data keys wrapped by Android Keystore, in no-backup storage. */
    val keyStore: WrappedKeyStore by lazy { WrappedKeyStore(File(app.noBackupFilesDir, "regimen-keys"), AndroidKeystoreWrapper()) }

    /** The medicines the patient wants rung as alarms. */
    val alarmClockMedicines: AlarmClockMedicines by lazy { AlarmClockMedicines(File(app.noBackupFilesDir, "regimen-alarm-clock")) }

    /** What the caregiver's push registration reported, for the pairing screen. */
    val pairingEvents: SharedFlow<PairingEvent> = events.asSharedFlow()

    // Credential-protected files are only touched once the user is unlocked, hence lazy.
    private val appliedFile by lazy { File(app.noBackupFilesDir, "regimen-reminders") }
    private val bootCopyFile = File(device.noBackupFilesDir, "regimen-reminders-boot")
    private val pairings by lazy { PendingPairings(File(app.noBackupFilesDir, "regimen-pairings")) }

    /** Whether credential-protected storage (the database) can be read: false before the first unlock. */
    fun unlocked(): Boolean = app.getSystemService(UserManager::class.java).isUserUnlocked

    /** The open database, opened on first use. Throws `RegimenException.Locked` before the first unlock. */
    suspend fun client(): RegimenClient = lock.withLock { clientLocked() }

    private suspend fun clientLocked(): RegimenClient {
        opened?.let { return it }
        if (!unlocked()) throw RegimenException.Locked("the user has not unlocked the device since it started")
        val client = RegimenClient.open(app.getDatabasePath(databaseName).path, keyStore, config)
        opened = client
        return client
    }

    /** The reminder loop over [client]. */
    suspend fun reminders(): Reminders = lock.withLock {
        loop?.let { return it }
        val client = clientLocked()
        val key = keyStore.loadKey(FINGERPRINT_ALIAS) ?: ByteArray(32).also {
            SecureRandom().nextBytes(it)
            keyStore.saveKey(FINGERPRINT_ALIAS, it)
        }
        val scheduler = ReminderScheduler(port, FileAppliedStore(appliedFile, bootCopyFile), key)
        Reminders(client, scheduler, port, alarmClockMedicines, afterLog = { OutboxJobService.schedule(app, null) }).also { loop = it }
    }

    /** The caregiver's push logic. */
    suspend fun caregiverPush(): CaregiverPush = CaregiverPush(client(), pairings, reminders())

    /** Reports a pairing event to the pairing screen. */
    fun report(event: PairingEvent) {
        events.tryEmit(event)
    }

    /**
     * From `Application.onCreate`: creates the channels and, once the user is unlocked, records
     * the zone, applies the reminders (a cold start: a force stop clears alarms silently), and
     * applies them again after every change made through the facade.
     */
    fun start() {
        createChannels()
        if (!unlocked()) return
        scope.launch {
            val reminders = guarded("start") { reminders() } ?: return@launch
            guarded("app start") { reminders.reapply(ReapplyReason.APP_START) }
            val client = client()
            client.changes.collect {
                guarded("change") { reminders.reapply(ReapplyReason.CHANGE) }
                // A patient with an active caregiver share: send what the change queued.
                val sharing = guarded("shares") {
                    client.shares().any { it.role == ShareRole.PATIENT && it.state == ShareState.ACTIVE }
                }
                if (sharing == true) OutboxJobService.schedule(app, null)
            }
        }
    }

    /** Plans and applies; before the first unlock does nothing (see [onLockedBoot]). */
    suspend fun reapply(reason: ReapplyReason) {
        if (!unlocked()) return
        guarded(reason.name) { reminders().reapply(reason) }
    }

    /**
     * A reminder's alarm fired: post it unless its dose was answered meanwhile (when that cannot
     * be told, before the first unlock or on a failure, post it: better once too often than
     * never), then plan again.
     */
    suspend fun fired(content: ReminderContent) {
        val wanted = if (unlocked()) guarded("alarm") { reminders().stillWanted(content) } else null
        if (wanted != false) port.post(content)
        reapply(ReapplyReason.ALARM)
    }

    /** The patient tapped Taken, Snooze or Skip. */
    suspend fun answer(action: ReminderAction) {
        guarded("answer") { reminders().answer(action) }
    }

    /** LOCKED_BOOT_COMPLETED: re-arms from the device-protected copy, in neutral words. */
    fun onLockedBoot() {
        val copy = FileAppliedStore.readBootCopy(bootCopyFile) ?: return
        val plan = Reminders.lockedBoot(copy, Instant.now(), texts.lockedTitle, texts.lockedBody)
        plan.arm.forEach(port::arm)
        plan.showNow.forEach { port.post(ReminderContent(it, texts.lockedTitle, texts.lockedBody, answerable = false)) }
        plan.refreshAt?.let { port.armRefresh(it, AlarmMode.INEXACT) }
    }

    /** Creates (or updates the names of) the notification channels; safe to call often. */
    fun createChannels() {
        val manager = app.getSystemService(NotificationManager::class.java)
        val channels = listOf(
            NotificationChannel(ReminderChannel.DOSES.id, texts.channelDoses, NotificationManager.IMPORTANCE_HIGH),
            NotificationChannel(ReminderChannel.FOLLOW_UPS.id, texts.channelFollowUps, NotificationManager.IMPORTANCE_HIGH),
            NotificationChannel(ReminderChannel.REFILLS.id, texts.channelRefills, NotificationManager.IMPORTANCE_DEFAULT),
            NotificationChannel(ReminderChannel.CAREGIVER.id, texts.channelCaregiver, NotificationManager.IMPORTANCE_HIGH),
            NotificationChannel(ReminderChannel.STATUS.id, texts.channelStatus, NotificationManager.IMPORTANCE_LOW),
        )
        manager.createNotificationChannels(channels)
    }

    /** Whether the app still has to ask for POST_NOTIFICATIONS (API 33+). */
    fun needsNotificationPermission(): Boolean =
        Build.VERSION.SDK_INT >= 33 &&
            app.checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED

    /** Whether exact alarms are allowed now. */
    fun canScheduleExactAlarms(): Boolean = port.canScheduleExactAlarms()

    /**
     * The system screen where the patient allows exact alarms ("Alarms & reminders"), or null
     * before API 31, where they need no permission.
     */
    fun exactAlarmSettingsIntent(): Intent? =
        if (Build.VERSION.SDK_INT >= 31) {
            Intent(AndroidSettings.ACTION_REQUEST_SCHEDULE_EXACT_ALARM, Uri.parse("package:" + app.packageName))
        } else {
            null
        }

    /**
     * Runs [block], turning a failure into a log line and null: a receiver must not crash the
     * process (the next trigger plans again). Exception class names and remedies only: no
     * message should carry health data, but logs stay bare.
     */
    private suspend fun <T> guarded(what: String, block: suspend () -> T): T? = try {
        block()
    } catch (e: CancellationException) {
        throw e
    } catch (e: Exception) {
        Log.w(TAG, "$what: ${e.javaClass.simpleName} (${e.remedy()})")
        null
    }

    /** Finding the process's instance. */
    companion object {
        private const val TAG = "Regimen"

        /** The key store alias of the per-install key that keys reminder fingerprints. */
        const val FINGERPRINT_ALIAS = "regimen.reminder-fingerprints"

        /** The [RegimenAndroid] of [context]'s application, which must implement [RegimenHost]. */
        fun from(context: Context): RegimenAndroid = (context.applicationContext as RegimenHost).regimen

        /** Whether [manager] allows exact alarms (always before API 31). */
        fun canScheduleExact(manager: AlarmManager): Boolean =
            Build.VERSION.SDK_INT < 31 || manager.canScheduleExactAlarms()
    }
}
