from django.urls import path

from calls import views, views_reports

app_name = "calls"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("board/", views.board, name="board"),
    # Issue 14: reports.
    path("kpis/", views_reports.kpis, name="kpis"),
]
