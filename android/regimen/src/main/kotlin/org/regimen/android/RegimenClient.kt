// The facade: the one object an Android app talks to. Every call into the library runs on the
// IO dispatcher, and what a screen watches is a Flow that emits again after every change made
// through this client.
package org.regimen.android

import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.ZoneOffset
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.withContext
import org.regimen.bindings.HttpClient
import org.regimen.bindings.Regimen
import org.regimen.bindings.core.RegimenException

/**
 * A patient's (or caregiver's) Regimen database, for Kotlin coroutines.
 *
 * Open one with [open] and keep it for the life of the process (the sample app keeps it in its
 * `Application`); [close] releases the database. Every function is a `suspend fun` that runs the
 * library call on [io] (Dispatchers.IO unless a test passes another), so it is safe to call from
 * the main thread. Failures are the library's `RegimenException`s; [remedy] says what to do.
 *
 * [today], [warnings] and [shares] are cold flows: each collector gets the current value, then a
 * new one after every change made through this client (a logged dose, an edit, a received push)
 * and after [refresh]. Changes made by another process or by time passing (a dose turning late)
 * show after [refresh]: call it when a screen resumes and when the day changes.
 *
 * [clock] gives "now" for the instants this client writes (when a dose was taken, a snooze's end)
 * and the day [today] shows. A clock other than the system's (a test's fixed or offset clock) is
 * also the library's "now" for every call made through this client (`Regimen.setNow`).
 *
 * [http] carries the network calls' requests ([updateKnowledge], [sendPending], [sendRefills],
 * [deleteEverything]'s goodbyes): the platform's [UrlConnectionHttp] unless the app gives its own.
 */
class RegimenClient private constructor(
    private val regimen: Regimen,
    /** The clock for the instants this client writes and the day [today] shows. */
    val clock: Clock,
    private val io: CoroutineDispatcher,
    private val zone: () -> ZoneId,
    private val http: HttpClient,
) : AutoCloseable {
    private val revision = MutableStateFlow(0L)

    /** A number that grows after every change made through this client and on [refresh]. */
    val changes: StateFlow<Long> = revision.asStateFlow()

    /** Today's doses in the phone's zone, earliest first, with their medicines. */
    val today: Flow<Today> = revision.map { today() }.distinctUntilChanged()

    /** Warnings for the medicines and PGx results, most severe first. */
    val warnings: Flow<List<Warning>> = revision.map { warnings() }.distinctUntilChanged()

    /** Every caregiver share in this database, oldest first. */
    val shares: Flow<List<ShareInfo>> = revision.map { shares() }.distinctUntilChanged()

    /** Every tracked medicine's run-out forecast, soonest first. */
    val forecasts: Flow<List<Forecast>> = revision.map { forecasts() }.distinctUntilChanged()

    /** Makes the flows read again (after a change made elsewhere, or when time moved on). */
    fun refresh() {
        revision.update { it + 1 }
    }

    /** The current instant, from [clock]. */
    fun now(): Instant = clock.instant()

    /** Whether [clock] is a test's rather than the system's: then it pins the library's "now". */
    private val pinsLibraryClock = clock.javaClass != Clock.systemUTC().javaClass

    private suspend fun <T> read(call: (Regimen) -> T): T = withContext(io) {
        if (pinsLibraryClock) regimen.setNow(clock.instant())
        call(regimen)
    }

    private suspend fun <T> write(call: (Regimen) -> T): T = read(call).also { refresh() }

    // Medicines and schedules.

    /** Adds a medicine, with its schedule from now on if given; both or neither are stored. */
    suspend fun addMedicine(info: MedicineInfo, schedule: Schedule? = null): Medicine =
        write { it.addScheduledMedicine(info, schedule) }

    /** Replaces a medicine's details; [expectedRevision] turns a stale edit into `Conflict`. */
    suspend fun editMedicine(id: Long, info: MedicineInfo, expectedRevision: UInt? = null): Medicine =
        write { it.editMedicine(id, info, expectedRevision) }

    /** Gives a medicine a new schedule from now on (null stops scheduled doses). */
    suspend fun setSchedule(medicineId: Long, schedule: Schedule?) {
        write { it.setSchedule(medicineId, schedule) }
    }

    /** Archives a medicine: no new doses, history kept. */
    suspend fun archiveMedicine(id: Long): Medicine = write { it.archiveMedicine(id) }

    /** Returns an archived medicine to the active list. */
    suspend fun restoreMedicine(id: Long): Medicine = write { it.restoreMedicine(id) }

    /** Active medicines (and archived ones if asked), sorted by name. */
    suspend fun medicines(includeArchived: Boolean = false): List<Medicine> = read { it.medicines(includeArchived) }

    /** Imports a FHIR R4 MedicationRequest (or a bare Dosage with [name]) as a new medicine. */
    suspend fun importFhir(json: String, name: String? = null): Medicine = write { it.importFhir(json, name) }

    // Doses.

    /** Every dose due in `[from, to)`, with where each stands now. */
    suspend fun doses(from: Instant, to: Instant): List<ScheduledDose> = read { it.doses(from, to) }

    /** Every dose of one local day in the phone's recorded zone. */
    suspend fun day(date: LocalDate): List<ScheduledDose> = read { it.day(date.toString()) }

    /** Today in the phone's zone: the day's doses with their medicines. */
    suspend fun today(): Today = read { regimen ->
        val zone = zone()
        val date = LocalDate.now(clock.withZone(zone))
        val medicines = regimen.medicines(true).associateBy { it.id }
        val doses = regimen.day(date.toString()).sortedBy { it.dueAt ?: it.event?.actualAt }
        Today(date, zone, doses.map { TodayDose(it, medicines[it.medicineId]) })
    }

    /** Logs that [dose] was taken at [at] (now unless back-filled). */
    suspend fun take(dose: ScheduledDose, at: Instant = now()): LoggedDose =
        logDose(NewDoseEvent(dose.medicineId, DoseAction.TAKEN, at, scheduledAt = dose.dueAt))

    /** Logs that [dose] was deliberately not taken, with the patient's [reason] if given. */
    suspend fun skip(dose: ScheduledDose, reason: String? = null): LoggedDose =
        logDose(NewDoseEvent(dose.medicineId, DoseAction.SKIPPED, now(), scheduledAt = dose.dueAt, note = reason))

    /** Puts [dose]'s reminder off for [delay]; it becomes due again then. */
    suspend fun snooze(dose: ScheduledDose, delay: Duration): LoggedDose {
        val now = now()
        return logDose(
            NewDoseEvent(dose.medicineId, DoseAction.SNOOZED, now, scheduledAt = dose.dueAt, snoozeUntil = now.plus(delay)),
        )
    }

    /** Appends any dose event (an as-needed dose, a correction). */
    suspend fun logDose(event: NewDoseEvent): LoggedDose = write { it.logDose(event) }

    /** Adherence over `[from, to)`. */
    suspend fun adherence(from: Instant, to: Instant): AdherenceReport = read { it.adherence(from, to) }

    // Settings, zone and reminders.

    /** The patient's settings. */
    suspend fun settings(): Settings = read { it.settings() }

    /** Changes the settings with [change] applied to the stored ones; returns what was stored. */
    suspend fun updateSettings(change: (Settings) -> Settings): Settings =
        write { it.updateSettings(change(it.settings())) }

    /** Sets what the lock screen shows. */
    suspend fun setPrivacy(level: PrivacyLevel): Settings =
        updateSettings { it.copy(reminders = it.reminders.copy(privacy = level)) }

    /**
     * Records the phone's zone (at every start and when the OS reports a change); says which
     * doses in the next [lookahead] (at most 14 days) move and which keep their instant.
     */
    suspend fun changeDeviceZone(zone: ZoneId = zone(), lookahead: Duration = Duration.ofDays(14)): ZoneChangeReport =
        write { it.changeDeviceZone(ianaName(zone), lookahead) }

    /** The notifications to have pending for the next [horizon], at most [budget] of them. */
    suspend fun planNotifications(horizon: Duration = DEFAULT_HORIZON, budget: Int = DEFAULT_BUDGET): NotificationPlan {
        require(budget > 0) { "budget must be positive" }
        return read { it.planNotifications(horizon, budget.toUInt()) }
    }

    // Warnings and knowledge.

    /** Warnings for the patient's medicines and results, most severe first. */
    suspend fun warnings(): List<Warning> = read { it.warnings() }

    /** The warnings [candidate] would bring if it were added now, without storing it. */
    suspend fun previewWarnings(candidate: MedicineInfo): List<Warning> = read { it.previewWarnings(candidate) }

    /** Drugs whose names start like [query], best first, for an "add a medicine" screen. */
    suspend fun searchDrugs(query: String, limit: Int = 10): List<DrugMatch> {
        require(limit in 1..50) { "limit must be 1 to 50" }
        return read { it.searchDrugs(query, limit.toUInt()) }
    }

    /** Which knowledge base warnings come from. */
    suspend fun knowledgeInfo(): KnowledgeInfo = read { it.knowledgeInfo() }

    /** Fetches and installs a newer signed knowledge base from [url] (one plain GET). */
    suspend fun updateKnowledge(url: String): KnowledgeInfo = withContext(io) { regimen.updateKnowledge(url, http) }.info.also { refresh() }

    /** Installs a signed knowledge-base bundle the app obtained itself. */
    suspend fun installKnowledgeBundle(bytes: ByteArray): KnowledgeInfo = write { it.installKnowledgeBundle(bytes) }

    /** Imports a lab's PGx report (TSV/CSV text); unreadable rows are kept as not understood. */
    suspend fun importPgx(text: String): List<PgxResult> = write { it.importPgx(text).results }

    /** PGx results in force (or every one, with [history]). */
    suspend fun pgxResults(history: Boolean = false): List<PgxResult> = read { it.pgxResults(history) }

    // Caregiver sharing.

    /** Patient side: offers a share; show the returned payload to the caregiver. */
    suspend fun offerShare(name: String, scopes: List<ShareScope>): PairingStep = write { it.offerShare(name, scopes) }

    /**
     * Caregiver side: answers [offer] with the push [endpoint] the distributor gave; [grace] is how
     * long after a dose's time an unconfirmed dose raises an alert (an hour unless given).
     */
    suspend fun answerOffer(offer: String, endpoint: String, name: String, grace: Duration? = null): PairingStep {
        val minutes = grace?.toMinutes()?.also { require(it in 0..MAX_GRACE_MINUTES) { "grace must be at most a day" } }
        return write { it.answerOffer(offer, endpoint, name, minutes?.toUInt()) }
    }

    /** Patient side: accepts the caregiver's answer; the share becomes active. */
    suspend fun acceptAnswer(answer: String): ShareInfo = write { it.acceptAnswer(answer) }

    /** Ends a share (either side). */
    suspend fun revoke(shareId: Long): ShareInfo = write { it.revoke(shareId) }

    /** Every share, oldest first. */
    suspend fun shares(): List<ShareInfo> = read { it.shares() }

    /** Caregiver side: takes in the raw body of a push message (duplicates come back ignored). */
    suspend fun receive(body: ByteArray): ReceivedMessage = write { it.receive(body) }

    /** Caregiver side: what a followed patient shared, with the doses due in `[from, to)`. */
    suspend fun patientView(shareId: Long, from: Instant, to: Instant): PatientView =
        read { it.patientView(shareId, from, to) }

    /** Patient side: sends every due caregiver message; failures retry on a later call. */
    suspend fun sendPending(): SendReport = withContext(io) { regimen.sendPending(http) }.also { refresh() }

    /** Patient side: when the outbox next has something due, or null. */
    suspend fun nextPushAt(): Instant? = read { it.nextPushAt() }

    // Supply and the pharmacy.

    /** Tracks [medicineId]'s stock (or changes its unit's pack size and refill lead time). */
    suspend fun trackSupply(medicineId: Long, settings: SupplySettings): SupplySettings =
        write { it.setSupplySettings(medicineId, settings) }

    /** [medicineId]'s supply settings, or null when its stock is not tracked. */
    suspend fun supplySettings(medicineId: Long): SupplySettings? = read { it.supplySettings(medicineId) }

    /** Records stock received, counted or lost. */
    suspend fun logSupply(event: NewSupplyEvent): SupplyEvent = write { it.logSupply(event) }

    /** Records [amount] received now (a pack opened, a delivery). */
    suspend fun received(medicineId: Long, amount: Double, source: SupplySource? = null): SupplyEvent =
        logSupply(NewSupplyEvent(medicineId, SupplyKind.RECEIVED, amount, now(), source, null))

    /** Records the patient's count now: it replaces the estimate. */
    suspend fun counted(medicineId: Long, amount: Double): SupplyEvent =
        logSupply(NewSupplyEvent(medicineId, SupplyKind.COUNTED, amount, now(), null, null))

    /** [medicineId]'s supply log, oldest first. */
    suspend fun supplyEvents(medicineId: Long): List<SupplyEvent> = read { it.supplyEvents(medicineId) }

    /** [medicineId]'s stock now. */
    suspend fun stock(medicineId: Long): Stock = read { it.stock(medicineId) }

    /** When [medicineId] runs out, with its refill reminder's start and any prescription problem. */
    suspend fun forecast(medicineId: Long): Forecast = read { it.forecast(medicineId) }

    /** Every tracked medicine's forecast, soonest run-out first. */
    suspend fun forecasts(): List<Forecast> = read { it.forecasts() }

    /** Whether there is enough of every tracked medicine until [until] ("for my trip"). */
    suspend fun supplyCheck(until: Instant): List<SupplyNeed> = read { it.supplyCheck(until) }

    /** Records a prescription. */
    suspend fun addPrescription(prescription: NewPrescription): Prescription = write { it.addPrescription(prescription) }

    /** [medicineId]'s prescriptions, newest first. */
    suspend fun prescriptions(medicineId: Long): List<Prescription> = read { it.prescriptions(medicineId) }

    /** The patient's answer to [medicineId]'s refill reminder. */
    suspend fun answerRefill(medicineId: Long, answer: RefillAnswer) {
        write { it.answerRefill(medicineId, answer) }
    }

    /** Chooses the patient's pharmacy (its FHIR R4 base URL). */
    suspend fun setPharmacy(pharmacy: Pharmacy): Pharmacy = write { it.setPharmacy(pharmacy) }

    /** The patient's pharmacy, if chosen. */
    suspend fun pharmacy(): Pharmacy? = read { it.pharmacy() }

    /**
     * Asks the pharmacy for a refill of [medicineId]'s newest prescription: queued here, sent by
     * [sendRefills]. [quantity] is in the supply unit (default: the prescription's per dispense).
     */
    suspend fun requestRefill(medicineId: Long, quantity: Double? = null, fulfilment: Fulfilment? = null): RefillOrder =
        write { it.requestRefill(medicineId, quantity, fulfilment) }

    /** Refill requests (of [medicineId], if given), newest first. */
    suspend fun refillOrders(medicineId: Long? = null): List<RefillOrder> = read { it.refillOrders(medicineId) }

    /**
     * Sends the refill requests due and follows the open ones to their dispense (which adds the
     * stock). Call after [requestRefill], on app start and now and then while a request is open.
     */
    suspend fun sendRefills(): RefillReport = withContext(io) {
        if (pinsLibraryClock) regimen.setNow(clock.instant())
        regimen.sendRefills(http)
    }.also { refresh() }

    // The diary.

    /** Adds a diary entry (text, severity, a medicine, measurements); refusals name the field. */
    suspend fun addDiaryEntry(entry: NewDiaryEntry): DiaryEntry = write { it.addDiaryEntry(entry) }

    /** The diary entries of `[from, to)`, oldest first. */
    suspend fun diaryEntries(from: Instant, to: Instant): List<DiaryEntry> = read { it.diaryEntries(from, to) }

    /** Deletes a diary entry for good (erased from the database's files; caregivers told). */
    suspend fun deleteDiaryEntry(id: Long) = write { it.deleteDiaryEntry(id) }

    // Exports.

    /**
     * The report for the doctor over the local days [from] to [to] (both included, at most 366)
     * as one self-contained HTML page, printable to PDF by any browser (a WebView's print).
     */
    suspend fun doctorReportHtml(from: LocalDate, to: LocalDate): String =
        read { it.doctorReportHtml(from.toString(), to.toString()) }

    /**
     * The dose events of `[from, to)` as CSV (RFC 4180), oldest first, with medicine names and
     * local times with their offsets: for the patient to share or keep.
     */
    suspend fun exportDoseLogCsv(from: Instant, to: Instant): String = read { it.exportDoseLogCsv(from, to) }

    /**
     * The doses planned in `[from, to)` as an iCalendar file (RFC 5545) for a calendar app:
     * generic summaries unless [names] (a calendar may sync to a server the patient forgets).
     */
    suspend fun exportCalendarIcs(from: Instant, to: Instant, names: Boolean = false): String =
        read { it.exportCalendarIcs(from, to, names) }

    /** Adherence per local day and medicine for the doses due in `[from, to)`, as CSV. */
    suspend fun exportAdherenceCsv(from: Instant, to: Instant): String = read { it.exportAdherenceCsv(from, to) }

    /**
     * Everything [options] asks for (by default all: medicines with their schedule history, the
     * dose log, supply, PGx results) as one FHIR R4 Bundle, JSON: for another app or system, or to
     * move to a new phone with [importFhirBundle]. Ten years of 20 medicines twice a day is about
     * 92 MB: write it to a file rather than keeping it.
     */
    suspend fun exportFhirBundle(options: FhirExportOptions = FhirExportOptions()): String =
        read { it.exportFhirBundle(options) }

    /**
     * Fills this database, which must be new and empty, from a Regimen FHIR export: call it right
     * after [open] on a new phone. All or nothing (`InvalidInput` names the FHIR element and entry
     * that could not be read); `Conflict` when this database already holds medicines or results.
     */
    suspend fun importFhirBundle(json: String): FhirBundleImport = write { it.importFhirBundle(json) }

    // Backup, a new phone, delete everything.

    /**
     * Everything in the database as one encrypted file that [passphrase] opens (8 characters at
     * least): for the patient to keep somewhere safe and restore on a new phone with
     * [restoreBackup]. Takes about a second (the key derivation is slow on purpose).
     */
    suspend fun exportBackup(passphrase: String): ByteArray = read { it.exportBackup(passphrase) }

    /**
     * Tells each caregiver goodbye when they can be reached (an offline phone is not a reason to
     * keep the data), then deletes the database, its journals and its key. This client is
     * unusable afterwards; [Reminders.deleteEverything] also cancels the reminders.
     */
    suspend fun deleteEverything(): DeletionReport = withContext(io) {
        if (pinsLibraryClock) regimen.setNow(clock.instant())
        if (regimen.shares().isNotEmpty()) {
            try {
                regimen.sayGoodbyeToCaregivers(http)
            } catch (e: RegimenException.Network) {
                // Not told; the shares end all the same.
            }
        }
        regimen.deleteEverything()
    }

    /** Closes the database; later calls fail. */
    override fun close() {
        regimen.close()
    }

    /** Opening and the defaults. */
    companion object {
        /** Two days of reminders ahead; the plan says when to plan again. */
        val DEFAULT_HORIZON: Duration = Duration.ofDays(2)

        /** At most 64 pending reminders (Android allows 500 alarms per app). */
        const val DEFAULT_BUDGET: Int = 64

        private const val MAX_GRACE_MINUTES = 24L * 60

        /**
         * The IANA name of [zone]: Android's zones already are; a fixed offset (as a JVM may
         * report) becomes `UTC` or `Etc/GMT±h` (whose sign is inverted, as IANA writes it).
         */
        fun ianaName(zone: ZoneId): String {
            val offset = zone.normalized() as? ZoneOffset ?: return zone.id
            val seconds = offset.totalSeconds
            return when {
                seconds == 0 -> "UTC"
                seconds % 3600 == 0 -> "Etc/GMT" + (if (seconds > 0) "-" else "+") + Math.abs(seconds / 3600)
                else -> zone.id
            }
        }

        /**
         * Opens (or creates) the database at [path] with its key kept by [keyStore]. Fails with
         * `RegimenException.Locked` while the key store is unavailable (before the first unlock).
         */
        suspend fun open(
            path: String,
            keyStore: KeyStore,
            config: RegimenConfig = RegimenConfig(),
            clock: Clock = Clock.systemUTC(),
            io: CoroutineDispatcher = Dispatchers.IO,
            zone: () -> ZoneId = { ZoneId.systemDefault() },
            http: HttpClient = UrlConnectionHttp(io),
        ): RegimenClient = withContext(io) {
            RegimenClient(Regimen.open(path, config, keyStore), clock, io, zone, http)
        }

        /** A measurement as typed ("120/80", "5.4 mmol/L", "154 lb"), checked for its kind. */
        fun parseMeasurement(kind: MeasurementKind, text: String): Measurement =
            org.regimen.bindings.parseMeasurement(kind, text)

        /** What the backup file [bytes] says about itself, before asking for its passphrase. */
        fun backupInfo(bytes: ByteArray): BackupInfo = org.regimen.bindings.backupInfo(bytes)

        /**
         * Restores the backup [bytes] into a new database at [path] (nothing may be there) under a
         * new key kept by [keyStore], and opens it. A wrong passphrase or a bad file is
         * `RegimenException.Backup` naming the problem ([remedy] says what to do); nothing is
         * written then.
         */
        suspend fun restoreBackup(
            path: String,
            keyStore: KeyStore,
            bytes: ByteArray,
            passphrase: String,
            config: RegimenConfig = RegimenConfig(),
            clock: Clock = Clock.systemUTC(),
            io: CoroutineDispatcher = Dispatchers.IO,
            zone: () -> ZoneId = { ZoneId.systemDefault() },
            http: HttpClient = UrlConnectionHttp(io),
        ): RegimenClient = withContext(io) {
            RegimenClient(Regimen.restoreBackup(path, config, keyStore, bytes, passphrase), clock, io, zone, http)
        }
    }
}
