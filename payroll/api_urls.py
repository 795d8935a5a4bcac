from rest_framework.routers import SimpleRouter

from payroll.apis.reviews import QaItemViewSet, QualityReviewViewSet

router = SimpleRouter()
router.register("quality-reviews", QualityReviewViewSet, basename="quality-review")
router.register("qa-items", QaItemViewSet, basename="qa-item")

urlpatterns = [*router.urls]
