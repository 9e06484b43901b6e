"""Local fakes of the services the CRM talks to (GOV.UK Notify)."""
