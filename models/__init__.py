"""Every table, imported here so that SQLModel.metadata knows them all."""

from models.catalogue import CatalogueEntry
from models.document import DocumentParagraph, DocumentProposal, DocumentText, ProposalDecision, SourceDocument
from models.flag import CheckRun, Flag, FlagAcknowledgement
from models.indicator import Indicator, IndicatorMeasurement, IndicatorRetirement
from models.measure import (
    AuditRecord,
    BudgetLine,
    DeadlineChange,
    Measure,
    MeasureAlias,
    MeasureCoOwner,
    MeasureTheme,
)
from models.organisation import Organisation
from models.report import ReportEdition, ReportJob
from models.review import Assessment, AssessmentReply, Recommendation, RecommendationMeasure
from models.state import MeasureStateInterval
from models.status import Status, StatusUpdate
from models.theme import Theme, ThemeScheme
from models.token import ApiToken
from models.user import LoginAttempt, User

__all__ = [
    "ApiToken",
    "Assessment",
    "AssessmentReply",
    "AuditRecord",
    "BudgetLine",
    "CatalogueEntry",
    "CheckRun",
    "DeadlineChange",
    "DocumentParagraph",
    "DocumentProposal",
    "DocumentText",
    "Flag",
    "FlagAcknowledgement",
    "Measure",
    "MeasureCoOwner",
    "MeasureAlias",
    "MeasureStateInterval",
    "MeasureTheme",
    "Indicator",
    "IndicatorMeasurement",
    "IndicatorRetirement",
    "LoginAttempt",
    "Organisation",
    "ProposalDecision",
    "Recommendation",
    "ReportEdition",
    "ReportJob",
    "RecommendationMeasure",
    "SourceDocument",
    "Status",
    "StatusUpdate",
    "Theme",
    "ThemeScheme",
    "User",
]
