// What travels inside alarm and notification-action intents, as plain string maps so the
// encoding is tested on the JVM; the Android receivers only copy the maps into Intent extras.
package org.regimen.android

import java.time.Instant

/** The patient's answer from a reminder's action button. */
enum class ReminderAnswer {
    /** Taken. */
    TAKEN,

    /** Put off. */
    SNOOZE,

    /** Deliberately not taken. */
    SKIP,

    /** A refill reminder: a refill is on its way. */
    REFILL_REQUESTED,

    /** A refill reminder: there is enough at home (not all of it recorded). */
    ENOUGH,
    ;

    /** Which buttons a reminder of each kind offers. */
    companion object {
        /**
         * The buttons of a reminder of [kind], in order: Taken, Snooze, Skip for doses;
         * Requested, Enough, Snooze (later today) for a refill reminder; none for a caregiver's.
         */
        fun offeredFor(kind: NotificationKind): List<ReminderAnswer> = when (kind) {
            NotificationKind.HEADS_UP, NotificationKind.DOSE, NotificationKind.FOLLOW_UP -> listOf(TAKEN, SNOOZE, SKIP)
            NotificationKind.REFILL -> listOf(REFILL_REQUESTED, ENOUGH, SNOOZE)
            NotificationKind.CAREGIVER_ALERT, NotificationKind.CAREGIVER_SILENCE -> emptyList()
        }
    }
}

/**
 * A tap on an action button of a reminder.
 *
 * @property answer which button.
 * @property reminder the reminder it was on.
 */
data class ReminderAction(val answer: ReminderAnswer, val reminder: ArmedReminder)

/** Encodes reminders and actions as string maps (Intent extras) and reads them back. */
object ReminderIntents {
    private const val PREFIX = "org.regimen.reminder."
    private const val PLATFORM_ID = PREFIX + "platform_id"
    private const val ID = PREFIX + "id"
    private const val KIND = PREFIX + "kind"
    private const val FIRE_AT = PREFIX + "fire_at"
    private const val DUE_AT = PREFIX + "due_at"
    private const val MEDICINES = PREFIX + "medicines"
    private const val SHARE = PREFIX + "share"
    private const val GROUP = PREFIX + "group"
    private const val MODE = PREFIX + "mode"
    private const val TITLE = PREFIX + "title"
    private const val BODY = PREFIX + "body"
    private const val ANSWERABLE = PREFIX + "answerable"
    private const val ANSWER = PREFIX + "answer"

    /** The extras of a reminder's alarm: what to post when it fires. */
    fun contentExtras(content: ReminderContent): Map<String, String> =
        reminderExtras(content.reminder) + mapOf(
            TITLE to content.title,
            BODY to content.body,
            ANSWERABLE to content.answerable.toString(),
        )

    /** The extras of an action button. */
    fun actionExtras(action: ReminderAction): Map<String, String> =
        reminderExtras(action.reminder) + (ANSWER to action.answer.name)

    /** The reminder's own fields (no text). */
    fun reminderExtras(reminder: ArmedReminder): Map<String, String> = mapOf(
        PLATFORM_ID to reminder.platformId.toString(),
        ID to reminder.id,
        KIND to reminder.kind.name,
        FIRE_AT to reminder.fireAt.toEpochMilli().toString(),
        DUE_AT to reminder.dueAt.toEpochMilli().toString(),
        MEDICINES to reminder.medicineIds.joinToString(","),
        SHARE to (reminder.shareId?.toString() ?: ""),
        GROUP to reminder.group,
        MODE to reminder.mode.name,
    )

    /** The reminder in [get]'s extras, or null if any field is missing or not understood. */
    fun reminder(get: (String) -> String?): ArmedReminder? {
        val medicines = get(MEDICINES) ?: return null
        val share = get(SHARE) ?: return null
        return ArmedReminder(
            platformId = get(PLATFORM_ID)?.toIntOrNull() ?: return null,
            id = get(ID) ?: return null,
            kind = NotificationKind.entries.firstOrNull { it.name == get(KIND) } ?: return null,
            fireAt = Instant.ofEpochMilli(get(FIRE_AT)?.toLongOrNull() ?: return null),
            dueAt = Instant.ofEpochMilli(get(DUE_AT)?.toLongOrNull() ?: return null),
            medicineIds = if (medicines.isEmpty()) emptyList() else medicines.split(',').map { it.toLongOrNull() ?: return null },
            shareId = if (share.isEmpty()) null else share.toLongOrNull() ?: return null,
            group = get(GROUP) ?: return null,
            mode = AlarmMode.entries.firstOrNull { it.name == get(MODE) } ?: return null,
            fingerprint = "",
        )
    }

    /** The reminder and its text in an alarm's extras, or null. */
    fun content(get: (String) -> String?): ReminderContent? {
        val reminder = reminder(get) ?: return null
        return ReminderContent(
            reminder,
            get(TITLE) ?: return null,
            get(BODY) ?: return null,
            get(ANSWERABLE)?.toBooleanStrictOrNull() ?: return null,
        )
    }

    /** The action in an action button's extras, or null. */
    fun action(get: (String) -> String?): ReminderAction? {
        val answer = ReminderAnswer.entries.firstOrNull { it.name == get(ANSWER) } ?: return null
        return ReminderAction(answer, reminder(get) ?: return null)
    }

    /** The posted form of a reminder, for dismissing it later. */
    fun posted(reminder: ArmedReminder): PostedReminder =
        PostedReminder(reminder.group, reminder.kind, reminder.medicineIds, reminder.dueAt, reminder.fireAt)
}
