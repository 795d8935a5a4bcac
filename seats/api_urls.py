from django.urls import path
from rest_framework.routers import SimpleRouter

from seats.apis.accounts import AgentDeactivateApi, MeApi, UserViewSet
from seats.apis.exports import ShopWorkloadExportApi
from seats.apis.handover import HandoverNoteViewSet
from seats.apis.roster import CoverAssignmentViewSet, LeaveViewSet, RosterApi
from seats.apis.staff import AgentViewSet, SeatAssignmentViewSet, SeatViewSet
from seats.apis.sub_accounts import SubAccountViewSet
from seats.apis.workloads import WorkloadViewSet

router = SimpleRouter()
router.register("agents", AgentViewSet, basename="agent")
router.register("seats", SeatViewSet, basename="seat")
router.register("seat-assignments", SeatAssignmentViewSet, basename="seat-assignment")
router.register("workloads", WorkloadViewSet, basename="workload")
router.register("handover-notes", HandoverNoteViewSet, basename="handover-note")
router.register("sub-accounts", SubAccountViewSet, basename="sub-account")
router.register("users", UserViewSet, basename="user")
router.register("leave", LeaveViewSet, basename="leave")
router.register("cover-assignments", CoverAssignmentViewSet, basename="cover-assignment")

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("agents/<int:pk>/deactivate/", AgentDeactivateApi.as_view(), name="agent-deactivate"),
    path("roster/", RosterApi.as_view(), name="roster"),
    path(
        "shops/<int:pk>/workloads/export/",
        ShopWorkloadExportApi.as_view(),
        name="shop-workload-export",
    ),
    *router.urls,
]
