//! `Regimen` calls for caregiver sharing: pairing, the patient's outbox, and the caregiver's
//! side. The exchange is described in core's `share` module and in the README.

use regimen_core::Timestamp;
use regimen_core::share::caregiver::{PatientView, ReceivedMessage};
use regimen_core::share::message::SharedPhenotype;
use regimen_core::share::outbox::{MAX_BATCH, PushOutcome, PushRequest, PushResult};
use regimen_core::share::pairing::PairingStep;
use regimen_core::share::{ShareInfo, ShareScope};
use regimen_core::warning::Warning;

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Patient side: offers a share under the display name `name`. `scopes` lists what the
    /// patient ticked beyond adherence (medicines, warnings, PGx); PGx is never shared unless
    /// listed. Show the returned payload to the caregiver (QR code, link).
    pub fn offer_share(&self, name: String, scopes: Vec<ShareScope>) -> Result<PairingStep> {
        Ok(self.store.offer_share(&name, &scopes, self.now()?)?)
    }

    /// Caregiver side: answers a patient's offer. `endpoint` is the push subscription the app
    /// made with the offer's `vapid` key as `applicationServerKey`; Regimen makes and keeps the
    /// subscription's keys. `grace_minutes` (default 60) is how long after a dose's time an
    /// unconfirmed dose raises the caregiver's alert. Show the returned payload to the patient.
    pub fn answer_offer(
        &self,
        offer: String,
        endpoint: String,
        name: String,
        grace_minutes: Option<u32>,
    ) -> Result<PairingStep> {
        Ok(self
            .store
            .answer_offer(&offer, &endpoint, &name, grace_minutes, self.now()?)?)
    }

    /// Patient side: accepts the caregiver's answer; the share becomes active.
    pub fn accept_answer(&self, answer: String) -> Result<ShareInfo> {
        Ok(self.store.accept_answer(&answer, self.now()?)?)
    }

    /// Ends a share (either side). The patient's side tells the caregiver with one last
    /// message and sends nothing more; the caregiver's side stops taking messages in and
    /// planning alerts.
    pub fn revoke(&self, share_id: i64) -> Result<ShareInfo> {
        Ok(self.store.revoke(share_id, self.now()?)?)
    }

    /// Every share in this database, oldest first.
    pub fn shares(&self) -> Result<Vec<ShareInfo>> {
        Ok(self.store.shares()?)
    }

    /// Patient side, for apps that send with their own HTTP stack: looks at what is new for
    /// each caregiver, then returns up to `limit` (at most 1000) due messages as ready-to-send
    /// `POST` requests, leased for two minutes. Report each result with `record_push_result`.
    pub fn prepare_push_requests(&self, limit: u32) -> Result<Vec<PushRequest>> {
        let now = self.now()?;
        self.sync_shares(now)?;
        Ok(self.store.prepare_push_requests(
            now,
            self.push_contact.as_deref(),
            limit.min(MAX_BATCH),
        )?)
    }

    /// Patient side: how a prepared request went. Decides retry, drop, or stop (see
    /// `PushOutcome`).
    pub fn record_push_result(&self, outbox_id: i64, result: PushResult) -> Result<PushOutcome> {
        Ok(self
            .store
            .record_push_result(outbox_id, result, self.now()?)?)
    }

    /// Patient side: when the outbox next has something due, for the app's background
    /// scheduler; `None` when nothing waits.
    pub fn next_push_at(&self) -> Result<Option<Timestamp>> {
        Ok(self.store.next_push_at()?)
    }

    /// Caregiver side: takes in the raw body of a push message. Duplicates, replays and
    /// messages after the share ended come back `ignored`.
    pub fn receive(&self, body: Vec<u8>) -> Result<ReceivedMessage> {
        Ok(self.store.receive(&body, self.now()?)?)
    }

    /// Caregiver side: what a followed patient shared, with the doses due in `[from, to)`.
    pub fn patient_view(
        &self,
        share_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<PatientView> {
        Ok(self.store.patient_view(share_id, from, to, self.now()?)?)
    }
}

impl Regimen {
    /// Queues what is new for every caregiver; warnings and phenotypes are computed here
    /// only when some active share has the scope for them.
    pub(crate) fn sync_shares(&self, now: Timestamp) -> Result<()> {
        let shares = self.store.shares()?;
        let wants = |scope| {
            shares.iter().any(|s| {
                s.role == regimen_core::share::ShareRole::Patient
                    && s.state == regimen_core::share::ShareState::Active
                    && s.scopes.contains(&scope)
            })
        };
        let warnings: Vec<Warning> = if wants(ShareScope::Warnings) {
            self.warnings()?
        } else {
            Vec::new()
        };
        let phenotypes: Vec<SharedPhenotype> = if wants(ShareScope::Pgx) {
            let loaded = self.loaded()?;
            self.store
                .pgx_results(&loaded.base.alleles, false)?
                .into_iter()
                .flat_map(|r| r.reading.calls)
                .map(|call| SharedPhenotype {
                    gene: call.gene,
                    phenotype: call.phenotype,
                })
                .collect()
        } else {
            Vec::new()
        };
        self.store.sync_shares(now, &warnings, &phenotypes)?;
        Ok(())
    }
}
