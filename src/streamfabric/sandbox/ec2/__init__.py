"""EC2 as the real service behaves where moto's EC2 backend falls short."""
