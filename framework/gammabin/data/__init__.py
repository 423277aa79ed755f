"""gammabin.data"""
