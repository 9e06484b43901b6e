"""Council CRM: everything a council adds to Django."""
