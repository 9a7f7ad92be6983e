from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("board/", views.board, name="board"),
]
