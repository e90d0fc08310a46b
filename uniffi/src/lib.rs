#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod backup;
mod bundle;
mod diary;
mod error;
mod export;
mod fhir;
mod http;
mod keystore;
mod knowledge;
#[cfg(feature = "native-http")]
mod native_http;
mod pgx;
mod pharmacy;
mod pharmacy_http;
mod planning;
mod push;
mod regimen;
mod schedules;
mod settings;
mod share;
mod supply;
mod update;
mod warnings;

pub use backup::{DeletionReport, backup_info};
pub use diary::parse_measurement;
pub use error::{RegimenError, Result};
pub use fhir::parse_fhir_timing;
pub use http::{HttpClient, HttpError, HttpMethod, HttpRequest, HttpResponse};
pub use keystore::{KeyStore, KeyStoreError};
#[cfg(feature = "native-http")]
pub use native_http::native_http;
pub use pgx::PgxImport;
pub use pharmacy_http::RefillReport;
pub use push::SendReport;
pub use regimen::{Regimen, RegimenConfig};
/// The domain records and enums the API takes and returns, defined in `regimen-core`.
pub use regimen_core::{
    ImportedOrder, OrdersImport, RefusedOrder, Timestamp,
    backup::BackupInfo,
    diary::{
        DiaryEntry, NewDiaryEntry,
        measure::{GlucoseUnit, Measurement, MeasurementKind, TemperatureUnit, WeightUnit},
    },
    dose::{
        Adherence, AdherenceReport, AsNeededRule, AsNeededWarning, DoseAction, DoseChange,
        DoseEvent, DoseStatus, HealthKitStatus, LoggedDose, NewDoseEvent, ScheduledDose,
    },
    error::BackupProblem,
    export::fhir::{FhirBundleImport, FhirExportOptions},
    interop::fhir::TaskStatus,
    knowledge::{DrugMatch, DrugMatchKind, DrugProduct, KnowledgeInfo},
    medicine::{DoseForm, Medicine, MedicineInfo, Route},
    pgx::{
        NewPgxResult, NotUnderstood, PgxReading, PgxResult, PgxSource, PhenotypeCall, PossibleCall,
        ReadingStatus,
    },
    reminder::{NotificationKind, NotificationPlan, PlannedNotification},
    schedule::{
        Anchors, AsNeeded, Bounds, ClockTime, Cycle, DayAnchors, DayOfWeek, DoseMove, EventTiming,
        GradualShift, LocalDate, LocalDateTime, MaxDose, Phase, Quantity, Schedule,
        ScheduleProblem, ScheduleVersion, SpacingRule, Timing, TimingCode, TimingRepeat,
        UnitOfTime, Window, ZonePolicy,
    },
    settings::{DoseThresholds, PrivacyLevel, ReminderSettings, Settings},
    share::{
        ShareInfo, ShareRole, ShareScope, ShareState,
        caregiver::{
            PatientView, ReceivedMessage, SharedDay, SharedDiaryEntry, SharedDose, SharedSupply,
            SharedWarning,
        },
        message::{MessageKind, SharedDoseStatus, SharedPhenotype, SharedSupplyStatus},
        outbox::{PushHeader, PushOutcome, PushRequest, PushResult},
        pairing::PairingStep,
    },
    supply::{
        Forecast, ForecastBasis, Fulfilment, HttpHeader, NewPrescription, NewSupplyEvent, Pharmacy,
        PharmacyRequest, PharmacyRequestKind, Prescription, PrescriptionWarning, RefillAnswer,
        RefillOrder, RefillState, Stock, SupplyEvent, SupplyKind, SupplyNeed, SupplySettings,
        SupplySource, prescription::FhirPrescriptionRef,
    },
    travel::{KeptDose, MovedDose, ZoneChangeReport},
    warning::{Evidence, Severity, Warning, WarningKind},
};
pub use update::KnowledgeUpdate;

uniffi::setup_scaffolding!("regimen");
