"""gammabin.datasets"""
