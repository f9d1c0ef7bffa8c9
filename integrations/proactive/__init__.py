"""Proactive messages going out: rendering, the providers (WhatsApp Cloud API, Twilio, SMTP), the worker."""
