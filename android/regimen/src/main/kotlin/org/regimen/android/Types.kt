// The one package an app imports: the generated records and enums it needs, re-exported under
// org.regimen.android, and the Kotlin types the facade uses where the bindings are awkward.
package org.regimen.android

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import org.regimen.bindings.core.RegimenException

/** How to open a database (key alias, busy timeout, trusted knowledge keys, push contact). */
typealias RegimenConfig = org.regimen.bindings.RegimenConfig

/** The platform hook that keeps the database key; on Android a [WrappedKeyStore]. */
typealias KeyStore = org.regimen.bindings.KeyStore

/** A medicine as stored: id, details, revision, archive state. */
typealias Medicine = org.regimen.bindings.core.Medicine

/** A medicine's details (name, strength, form, codes, instructions); sealed at rest. */
typealias MedicineInfo = org.regimen.bindings.core.MedicineInfo

/** A medicine's schedule: FHIR Timing phases plus a zone policy. */
typealias Schedule = org.regimen.bindings.core.Schedule

/** One phase of a schedule: its timing, dose, cycle, window. */
typealias Phase = org.regimen.bindings.core.Phase

/** A FHIR R4 Timing: events, a repeat rule or a code such as BID. */
typealias Timing = org.regimen.bindings.core.Timing

/** A FHIR R4 Timing.repeat: frequency, period, days of the week, times of day, bounds. */
typealias TimingRepeat = org.regimen.bindings.core.TimingRepeat

/** FHIR's units of time (s, min, h, d, wk, mo, a). */
typealias UnitOfTime = org.regimen.bindings.core.UnitOfTime

/** How a schedule follows the phone across zones: local time, home time, or elapsed time. */
typealias ZonePolicy = org.regimen.bindings.core.ZonePolicy

/** An amount with its unit ("1 tablet"). */
typealias Quantity = org.regimen.bindings.core.Quantity

/** One dose of one medicine and where it stands now. */
typealias ScheduledDose = org.regimen.bindings.core.ScheduledDose

/** Where a dose stands: upcoming, due, late, missed, taken, taken late, skipped, snoozed. */
typealias DoseStatus = org.regimen.bindings.core.DoseStatus

/** What the patient did about a dose: taken, skipped or snoozed. */
typealias DoseAction = org.regimen.bindings.core.DoseAction

/** A dose event to log (the facade's [RegimenClient.take] and friends build these). */
typealias NewDoseEvent = org.regimen.bindings.core.NewDoseEvent

/** A logged dose event, and a warning when an as-needed dose came too soon or over the limit. */
typealias LoggedDose = org.regimen.bindings.core.LoggedDose

/** A drug-gene or drug-drug warning, with severity, text, what to do and the evidence. */
typealias Warning = org.regimen.bindings.core.Warning

/** What kind of problem a warning is about (drug-gene, drug-drug, duplicate, not checked...). */
typealias WarningKind = org.regimen.bindings.core.WarningKind

/** How serious a warning is. */
typealias Severity = org.regimen.bindings.core.Severity

/** The patient's settings: their day, late and missed thresholds, reminder behaviour. */
typealias Settings = org.regimen.bindings.core.Settings

/** What the lock screen shows: hidden, generic (the default) or full names. */
typealias PrivacyLevel = org.regimen.bindings.core.PrivacyLevel

/** The notifications to have pending, and when to plan again. */
typealias NotificationPlan = org.regimen.bindings.core.NotificationPlan

/** One planned notification, with its stable id and platform id. */
typealias PlannedNotification = org.regimen.bindings.core.PlannedNotification

/** What a planned notification is for (heads-up, dose, follow-up, caregiver alert or silence). */
typealias NotificationKind = org.regimen.bindings.core.NotificationKind

/** Which doses moved and which kept their instant when the phone changed zone. */
typealias ZoneChangeReport = org.regimen.bindings.core.ZoneChangeReport

/** A caregiver share, seen from either side. */
typealias ShareInfo = org.regimen.bindings.core.ShareInfo

/** Which side of a share this database is (patient or caregiver). */
typealias ShareRole = org.regimen.bindings.core.ShareRole

/** Where a share stands (offered, active, revoked...). */
typealias ShareState = org.regimen.bindings.core.ShareState

/** What a share covers beyond adherence (medicines, warnings, PGx). */
typealias ShareScope = org.regimen.bindings.core.ShareScope

/** One pairing step: the share and the payload to show the other side (QR code, link). */
typealias PairingStep = org.regimen.bindings.core.PairingStep

/** What one pushed body turned out to be, on the caregiver's side. */
typealias ReceivedMessage = org.regimen.bindings.core.ReceivedMessage

/** What a followed patient shared, as the caregiver sees it. */
typealias PatientView = org.regimen.bindings.core.PatientView

/** What one pass over the caregiver outbox did. */
typealias SendReport = org.regimen.bindings.SendReport

/** What a backup file says about itself (format, writer, date, schema). */
typealias BackupInfo = org.regimen.bindings.core.BackupInfo

/** Why a backup was refused. */
typealias BackupProblem = org.regimen.bindings.core.BackupProblem

/** A diary entry as stored. */
typealias DiaryEntry = org.regimen.bindings.core.DiaryEntry

/** A diary entry to add: a time, text, a severity 1–5, a medicine, measurements. */
typealias NewDiaryEntry = org.regimen.bindings.core.NewDiaryEntry

/** A checked measurement (blood pressure, heart rate, glucose, weight, temperature). */
typealias Measurement = org.regimen.bindings.core.Measurement

/** What a measurement measures. */
typealias MeasurementKind = org.regimen.bindings.core.MeasurementKind

/** What deleting everything did. */
typealias DeletionReport = org.regimen.bindings.DeletionReport

/** Adherence over a period, overall and per medicine. */
typealias AdherenceReport = org.regimen.bindings.core.AdherenceReport

/** Which knowledge base warnings come from. */
typealias KnowledgeInfo = org.regimen.bindings.core.KnowledgeInfo

/** A drug found by the drug search. */
typealias DrugMatch = org.regimen.bindings.core.DrugMatch

/** A stored pharmacogenomic result and how it was read. */
typealias PgxResult = org.regimen.bindings.core.PgxResult

/** How a medicine's stock is tracked: its unit, pack size and refill lead time. */
typealias SupplySettings = org.regimen.bindings.core.SupplySettings

/** Stock received, counted or lost, to record. */
typealias NewSupplyEvent = org.regimen.bindings.core.NewSupplyEvent

/** What a supply event is: received, counted or lost. */
typealias SupplyKind = org.regimen.bindings.core.SupplyKind

/** What a FHIR export holds (every part by default). */
typealias FhirExportOptions = org.regimen.bindings.core.FhirExportOptions

/** What a FHIR import stored, by kind of record. */
typealias FhirBundleImport = org.regimen.bindings.core.FhirBundleImport

/** Where received stock came from (a pack, a dispense, a delivery). */
typealias SupplySource = org.regimen.bindings.core.SupplySource

/** A recorded supply event. */
typealias SupplyEvent = org.regimen.bindings.core.SupplyEvent

/** A medicine's stock now, and how it was worked out. */
typealias Stock = org.regimen.bindings.core.Stock

/** When a medicine runs out, from its schedule or (as needed) from recent use. */
typealias Forecast = org.regimen.bindings.core.Forecast

/** What a forecast is based on. */
typealias ForecastBasis = org.regimen.bindings.core.ForecastBasis

/** Whether there is enough of a medicine until a date: needed, on hand, shortfall. */
typealias SupplyNeed = org.regimen.bindings.core.SupplyNeed

/** A prescription to record: repeats, validity, quantity per dispense. */
typealias NewPrescription = org.regimen.bindings.core.NewPrescription

/** A recorded prescription. */
typealias Prescription = org.regimen.bindings.core.Prescription

/** A prescription problem ahead: no repeats left, or it expires before the stock runs out. */
typealias PrescriptionWarning = org.regimen.bindings.core.PrescriptionWarning

/** The patient's answer to a refill reminder: requested, enough, or later. */
typealias RefillAnswer = org.regimen.bindings.core.RefillAnswer

/** The patient's pharmacy: its FHIR R4 base URL, delivery time and fulfilment. */
typealias Pharmacy = org.regimen.bindings.core.Pharmacy

/** Pick-up or delivery. */
typealias Fulfilment = org.regimen.bindings.core.Fulfilment

/** A refill request to the pharmacy and where it stands. */
typealias RefillOrder = org.regimen.bindings.core.RefillOrder

/** Where a refill request stands: queued, sent, failed or done. */
typealias RefillState = org.regimen.bindings.core.RefillState

/** What one pass over the refill requests did. */
typealias RefillReport = org.regimen.bindings.RefillReport

/** What an app can do about a failed call. */
enum class Remedy {
    /** An argument broke a rule: show the reason next to the field it names. */
    FIX_INPUT,

    /** What was on screen is stale (a record is gone or was edited elsewhere): read again. */
    REFRESH,

    /**
     * The key store is locked (before the first unlock), another process holds the database,
     * or the network failed: try later.
     */
    RETRY_LATER,

    /** The database was written by a newer version of the app: ask the patient to update. */
    UPDATE_APP,

    /** The database file is damaged: offer to restore a backup, and keep the file. */
    RESTORE,

    /** The database or a sealed value cannot be used as it is: tell the patient, keep the file. */
    REPORT,
}

/**
 * What the app can do about [this] failure. Every exception maps to one remedy; anything
 * unforeseen (a variant added later, a bug) is [Remedy.REPORT].
 */
fun Throwable.remedy(): Remedy = when (this) {
    is RegimenException.InvalidInput -> Remedy.FIX_INPUT
    is RegimenException.NotFound, is RegimenException.Conflict -> Remedy.REFRESH
    is RegimenException.Locked, is RegimenException.Busy, is RegimenException.Network -> Remedy.RETRY_LATER
    is RegimenException.DatabaseTooNew -> Remedy.UPDATE_APP
    is RegimenException.Damaged -> Remedy.RESTORE
    is RegimenException.Backup -> when (problem) {
        // Ask again, or pick (or copy) the file again.
        BackupProblem.WRONG_PASSPHRASE, BackupProblem.NOT_A_BACKUP, BackupProblem.TRUNCATED -> Remedy.FIX_INPUT
        BackupProblem.TOO_NEW -> Remedy.UPDATE_APP
        BackupProblem.TAMPERED -> Remedy.REPORT
    }
    else -> Remedy.REPORT
}

/**
 * One of today's doses with its medicine, for a list on screen.
 *
 * @property dose the dose and where it stands.
 * @property medicine its medicine (null only if it was removed meanwhile).
 */
class TodayDose(val dose: ScheduledDose, val medicine: Medicine?) {
    /** The medicine's name, or null when unknown. */
    val name: String? get() = medicine?.info?.name

    /** When the dose is due; null for an as-needed dose taken today. */
    val dueAt: Instant? get() = dose.dueAt

    /** Where it stands now. */
    val status: DoseStatus get() = dose.status

    /** Whether Taken and Skip make sense for it (it is scheduled and not settled yet). */
    val canAnswer: Boolean
        get() = dose.dueAt != null && status in OPEN

    override fun equals(other: Any?): Boolean =
        other is TodayDose && other.dose == dose && other.medicine == medicine

    override fun hashCode(): Int = dose.hashCode() * 31 + (medicine?.hashCode() ?: 0)

    /** Ids and status only: names stay out of logs. */
    override fun toString(): String = "TodayDose(medicine=${dose.medicineId}, due=$dueAt, status=$status)"

    private companion object {
        val OPEN = setOf(DoseStatus.UPCOMING, DoseStatus.DUE, DoseStatus.LATE, DoseStatus.SNOOZED, DoseStatus.MISSED)
    }
}

/**
 * The day a list shows: its date in the phone's zone and every dose of it, earliest first.
 *
 * @property date the local date.
 * @property zone the zone the date is read in.
 * @property doses the day's doses.
 */
data class Today(val date: LocalDate, val zone: ZoneId, val doses: List<TodayDose>) {
    /** Counts only: names stay out of logs. */
    override fun toString(): String = "Today(date=$date, zone=$zone, doses=${doses.size})"
}
