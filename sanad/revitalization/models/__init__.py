"""Community revitalization.

- `communities`: `Community` (an admin unit, optionally a place) and its participatory
  `CommunityAssessment`s: who took part (`AssessmentParticipation`), the `Need`s they
  ranked, the `CommunityResource`s they have, the provincial endorsement.
- `infrastructure`: `InfrastructureProject`s (type, budget, `Contractor`, milestones,
  cash-for-work `ProjectWorker`s and their `WorkerPayment`s, population served with its
  estimation method, handover).
- `grants`: `GrantCall`s (criteria, eligibility, committee), `GrantApplication`s with
  conflict declarations and `Score`s, `BusinessPlan`, `GrantAgreement` (paid through a
  cash entitlement in tranches) and `GrantVisit`s (tranche verification, follow-up at 3,
  6 and 12 months).
- `training`: `TrainingProvider`, `Course`, `Enrolment`, `TrainingSession`,
  `Attendance`, `PlacementFollowUp`.
- `governance`: `CommunityCentre` (visits, cases logged there), `CohesionActivity`
  (civic engagement, reconciliation) with participation counts.
"""

from sanad.revitalization.models.common import (
    GRANTS,
    MANAGE,
    SCORE,
    TRAINING,
    VIEW,
    AgeBand,
    Currency,
    ParticipantGroup,
    Sector,
    Sex,
)
from sanad.revitalization.models.communities import (
    AssessmentParticipation,
    Community,
    CommunityAssessment,
    CommunityResource,
    Need,
)
from sanad.revitalization.models.governance import (
    ActivityParticipation,
    CentreCase,
    CentreVisitDay,
    CohesionActivity,
    CommunityCentre,
)
from sanad.revitalization.models.grants import (
    BusinessPlan,
    BusinessSector,
    CommitteeMember,
    ConflictDeclaration,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    GrantVisit,
    RevenueBand,
    Score,
    ScoringCriterion,
)
from sanad.revitalization.models.infrastructure import (
    Contractor,
    EstimationMethod,
    InfrastructureProject,
    ProjectKind,
    ProjectMilestone,
    ProjectWorker,
    WorkerPayment,
)
from sanad.revitalization.models.training import (
    Attendance,
    Course,
    Enrolment,
    PlacementFollowUp,
    Trade,
    TrainingProvider,
    TrainingSession,
)

__all__ = [
    "GRANTS",
    "MANAGE",
    "SCORE",
    "TRAINING",
    "VIEW",
    "ActivityParticipation",
    "AgeBand",
    "AssessmentParticipation",
    "Attendance",
    "BusinessPlan",
    "BusinessSector",
    "CentreCase",
    "CentreVisitDay",
    "CohesionActivity",
    "CommitteeMember",
    "Community",
    "CommunityAssessment",
    "CommunityCentre",
    "CommunityResource",
    "ConflictDeclaration",
    "Contractor",
    "Course",
    "Currency",
    "Enrolment",
    "EstimationMethod",
    "GrantAgreement",
    "GrantApplication",
    "GrantCall",
    "GrantVisit",
    "InfrastructureProject",
    "Need",
    "ParticipantGroup",
    "PlacementFollowUp",
    "ProjectKind",
    "ProjectMilestone",
    "ProjectWorker",
    "RevenueBand",
    "Score",
    "ScoringCriterion",
    "Sector",
    "Sex",
    "Trade",
    "TrainingProvider",
    "TrainingSession",
    "WorkerPayment",
]
