"""What the server draws itself: SVG charts and QR codes."""
