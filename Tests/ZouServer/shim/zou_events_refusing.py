"""Zou 1.0.97's event stream with its refusals working (test harness only).

zou/event_stream.py raises Python's builtin ConnectionRefusedError, which flask-socketio
does not treat as a refusal: every connection, with no token or an expired one, would be
accepted and sent every event. Raising socketio's own exception makes refusals reach the
client as `44/events,{"message": ...}`. Worth reporting upstream."""
import socketio.exceptions
import zou.event_stream as event_stream

event_stream.ConnectionRefusedError = socketio.exceptions.ConnectionRefusedError
app = event_stream.app
