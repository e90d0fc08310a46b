// Sending the patient's caregiver outbox when the network is there: a JobScheduler job, since
// a broadcast may not outlive a slow push service and WorkManager is not on Maven Central.
package org.regimen.android

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import java.time.Duration
import java.time.Instant
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch

/**
 * Runs `sendPending()` with network, then schedules itself for the outbox's next attempt. Declared
 * in the manifest with BIND_JOB_SERVICE (not exported).
 */
class OutboxJobService : JobService() {
    private var running: Job? = null

    override fun onStartJob(params: JobParameters): Boolean {
        val regimen = RegimenAndroid.from(this)
        running = regimen.scope.launch {
            var next: Instant? = null
            try {
                if (regimen.unlocked()) next = regimen.client().sendPending().nextAttemptAt
            } catch (e: org.regimen.bindings.core.RegimenException) {
                next = Instant.now().plus(RETRY)
            } finally {
                next?.let { schedule(this@OutboxJobService, it) }
                jobFinished(params, false)
            }
        }
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean {
        running?.cancel()
        return true
    }

    /** Scheduling the job. */
    companion object {
        private const val JOB_ID = 0x52474d31
        private val RETRY: Duration = Duration.ofMinutes(15)

        /** Sends the outbox once the network is there, not before [at] (now if null). */
        fun schedule(context: Context, at: Instant?) {
            val delay = at?.let { Duration.between(Instant.now(), it).toMillis().coerceAtLeast(0) } ?: 0
            val job = JobInfo.Builder(JOB_ID, ComponentName(context, OutboxJobService::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setMinimumLatency(delay)
                .setPersisted(true)
                .build()
            context.getSystemService(JobScheduler::class.java).schedule(job)
        }
    }
}
