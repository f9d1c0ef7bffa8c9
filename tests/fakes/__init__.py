"""Small fake servers for the third-party APIs the assistant calls (Meta Graph API, Twilio).

Each is a real HTTP server on 127.0.0.1 that checks requests the way the vendor documents them,
answers like the vendor, and records every request so tests can assert the exact traffic.
"""
