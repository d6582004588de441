app_name = "wellknown"
urlpatterns: list = []
