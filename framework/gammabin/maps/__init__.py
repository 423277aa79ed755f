"""gammabin.maps"""
