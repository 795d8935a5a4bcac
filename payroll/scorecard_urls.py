"""Pay book and scorecard routes under /api/v1/."""

from django.urls import path

from payroll import scorecard_apis

urlpatterns = [
    path("pay-book/", scorecard_apis.PayBookListApi.as_view(), name="pay-book-list"),
    path("pay-book/current/", scorecard_apis.PayBookCurrentApi.as_view(), name="pay-book-current"),
    path(
        "agents/<int:pk>/scorecard/",
        scorecard_apis.AgentScorecardApi.as_view(),
        name="agent-scorecard",
    ),
    path("scorecards/", scorecard_apis.ScorecardBoardApi.as_view(), name="scorecard-board"),
]
