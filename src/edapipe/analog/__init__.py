"""analog"""
