event_map = {}
