"""Clients for services outside the assistant (helpdesk, commerce platform, messaging providers).

Integrations sit above ``store`` and ``core`` and below ``actions`` and ``storefront``, so the action
server and the Rasa-side code can both use them without importing each other.
"""
