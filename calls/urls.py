from django.urls import path

from calls import views, views_reports

app_name = "calls"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("board/", views.board, name="board"),
    # Issue 14: reports.
    path("kpis/", views_reports.kpis, name="kpis"),
    path("history/", views_reports.history, name="history"),
    path("<int:call_id>/timeline/", views_reports.call_timeline_page, name="timeline"),
    path("audit/", views_reports.audit, name="audit"),
]
