"""Tests for the notifications outbox, its channel backends and background tasks."""
